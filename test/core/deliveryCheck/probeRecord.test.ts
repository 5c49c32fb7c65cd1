/**
 * A probe past its per-minute record budget is answered without a record, so
 * PipelineResponse.record is optional and its readers must say what they do
 * without one. The @ts-expect-error below is the test of the type: it fails
 * `npm run typecheck` the day `record` is declared required again (as it was,
 * with `undefined as never` in the two places that have none).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActivityLog } from '../../../src/core/activity/activityLog';
import { defaultConfig } from '../../../src/core/config/configLoader';
import { PROBE_HEADER, PROBE_RECORDS_PER_MINUTE } from '../../../src/core/deliveryCheck/probe';
import { Pipeline, type InboundRequest, type PipelineResponse } from '../../../src/core/gateway/pipeline';
import { MemoryLogger } from '../../../src/core/logger';
import { PairingStore } from '../../../src/core/pairing/pairingStore';

describe('Pipeline: a probe past its record budget has no record', () => {
  let dir: string;
  let activities: ActivityLog;
  let pairing: PairingStore;
  let pipeline: Pipeline;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-probe-record-'));
    const logger = new MemoryLogger();
    activities = new ActivityLog({ dir, logger });
    pairing = new PairingStore({ file: path.join(dir, 'pairing.json'), ttlMinutes: 60, maxPending: 20, logger });
    const config = defaultConfig();
    pipeline = new Pipeline({
      config: () => config,
      authenticator: () => undefined,
      pairing,
      activities,
      sender: { send: async () => ({ ok: true, status: 201 }) },
      logger,
    });
  });
  afterEach(async () => {
    pairing.close();
    await activities.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

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
    assert.equal(activities.list({ probes: true, limit: 100 }).length, PROBE_RECORDS_PER_MINUTE);

    // @ts-expect-error: record may be absent (this answer's is); reading it unchecked must not compile.
    const unchecked = (a: PipelineResponse): string => a.record.id;
    assert.throws(() => unchecked(past), TypeError);
  });
});
