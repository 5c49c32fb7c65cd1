/**
 * A probe past its per-minute record budget is answered without a record, so
 * PipelineResponse.record is optional and its readers must say what they do
 * without one. The @ts-expect-error below is the test of the type: it fails
 * `npm run typecheck` the day `record` is declared required again (as it was,
 * with `undefined as never` in the two places that have none).
 */
import { strict as assert } from 'node:assert';
import { defaultConfig } from '../../../src/core/config/configLoader';
import { PROBE_HEADER, PROBE_RECORDS_PER_MINUTE } from '../../../src/core/deliveryCheck/probe';
import type { InboundRequest, Pipeline, PipelineResponse } from '../../../src/core/gateway/pipeline';
import { pipelineOnDisk, type PipelineOnDisk } from '../../support/pipelineOnDisk';

describe('Pipeline: a probe past its record budget has no record', () => {
  let on: PipelineOnDisk;
  let pipeline: Pipeline;

  beforeEach(async () => {
    on = await pipelineOnDisk(defaultConfig());
    pipeline = on.pipeline;
  });
  afterEach(() => on.close());

  const probe = (i: number): InboundRequest => ({
    source: 'loopback',
    headers: { 'content-type': 'application/json', [PROBE_HEADER]: `budget-nonce-${i}` },
    body: Buffer.from('{}'),
    startedAt: performance.now(),
  });

  it('the answers within the budget carry their record; the one after it none, and still names its reason', async () => {
    const answers: PipelineResponse[] = [];
    for (let i = 0; i <= PROBE_RECORDS_PER_MINUTE; i++) answers.push(await pipeline.handle(probe(i)));
    const within = answers.slice(0, PROBE_RECORDS_PER_MINUTE);
    assert.deepEqual(within.map((a) => a.record?.reason), within.map(() => 'probe'));
    const past = answers[PROBE_RECORDS_PER_MINUTE];
    assert.equal(past.status, 200);
    assert.equal(past.headers['x-teams-bot-dev-reason'], 'probe');
    assert.equal(JSON.parse(past.body.toString('utf8')).recorded, false);
    assert.equal(past.record, undefined);
    await pipeline.drain();
    assert.equal(on.activities.list({ probes: true, limit: 100 }).length, PROBE_RECORDS_PER_MINUTE);

    // @ts-expect-error: record may be absent (this answer's is); reading it unchecked must not compile.
    const unchecked = (a: PipelineResponse): string => a.record.id;
    assert.throws(() => unchecked(past), TypeError);
  });
});
