/**
 * Pipeline.finish answers before it records (the record's redaction and
 * serialisation are off the request path), and still loses and reorders
 * nothing: a reader of the response's record gets it at once, an unread one is
 * recorded in the next turn, sends after the answer come after it, and drain()
 * (the gateway's stop()) records whatever is pending, on disk before it resolves.
 */
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readActivities, type ActivityLog } from '../../src/core/activity/activityLog';
import { MemoryLogger } from '../../src/core/logger';
import type { PairingStore } from '../../src/core/pairing/pairingStore';
import { pipelineOnDisk, type PipelineOnDisk } from '../support/pipelineOnDisk';
import { Pipeline, type InboundRequest } from '../../src/core/gateway/pipeline';
import { defaultConfig } from '../../src/core/config/configLoader';
import type { TeamsBotConfig } from '../../src/core/config/configTypes';
import { personalMessage } from '../support/gatewayHarness';
import { getHeapSnapshot } from 'node:v8';

/** Every string on the heap after a full collection (a snapshot collects first). */
async function heapStrings(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { strings: string[] }).strings;
}

const ALICE = { id: '29:alice', name: 'Alice', aadObjectId: '11111111-1111-4111-8111-111111111111' };

describe('Pipeline: the record is made after the answer', () => {
  let on: PipelineOnDisk;
  let dir: string;
  let activities: ActivityLog;
  let pairing: PairingStore;
  let pipeline: Pipeline;
  const sent: string[] = [];

  beforeEach(async () => {
    const config: TeamsBotConfig = { ...defaultConfig(), dmPolicy: 'open', bot: { ...defaultConfig().bot, echo: true } };
    sent.length = 0;
    // The echo reply, sent after the answer: the inbound record must already be there.
    on = await pipelineOnDisk(config, { send: async () => (sent.push(`send after ${activities.size()} records`), { ok: true, status: 201 }) });
    ({ dir, activities, pairing, pipeline } = on);
  });
  afterEach(() => on.close());

  const request = (text: string): InboundRequest => ({
    source: 'loopback',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(personalMessage(ALICE, text, 'http://127.0.0.1:9/'))),
    startedAt: performance.now(),
  });

  it('the answer exists before its record; reading response.record records it at once, once', async () => {
    const response = await pipeline.handle(request('first'));
    assert.equal(response.headers['x-teams-bot-dev-reason'], 'echo');
    assert.equal(activities.size(), 0, 'not recorded before the answer is taken');
    const record = response.record;
    assert.equal(record?.reason, 'echo');
    assert.equal(activities.size(), 1);
    assert.equal(response.record, record, 'the same record, not a second one');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(activities.list({ direction: 'inbound' }).length, 1);
  });

  it('an answer whose record nobody reads is recorded in the next turn, before the reply sent after it', async () => {
    await pipeline.handle(request('unread'));
    assert.equal(activities.size(), 0);
    // Let the event loop turn (not drain(), which would record first anyway) until the echo reply is sent.
    while (sent.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await pipeline.drain();
    assert.equal(activities.list({ direction: 'inbound' }).length, 1);
    assert.deepEqual(sent, ['send after 1 records']);
    const [outbound, inbound] = activities.list();
    assert.equal(outbound.direction, 'outbound');
    assert.equal(inbound.direction, 'inbound');
    assert.ok(inbound.id < outbound.id, 'the inbound record comes first');
  });

  it('the request body\'s text is not kept once the activity is recorded, though the log keeps the activity', async function () {
    this.timeout(60_000); // a heap snapshot takes seconds
    // Only the body's text has this spelling (the parsed activity holds the marker as a value, not this JSON).
    const marker = `body-text-${process.pid}-${Date.now()}`;
    const body = () => Buffer.from(JSON.stringify({ text: marker, ...personalMessage(ALICE, marker, 'http://127.0.0.1:9/') }));
    const record = (await pipeline.handle({ ...request(''), body: body() })).record;
    assert.equal(record?.activity?.text, marker, 'the ring keeps the activity');
    await activities.flush();
    assert.ok(!(await heapStrings()).some((s) => s.startsWith(`{"text":"${marker}"`)), 'the body text outlived its request');
  });

  it('50 concurrent answers, half of them read at once: each recorded exactly once', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => pipeline.handle({ ...request(`c${i}`), body: Buffer.from(`not json ${i}`) })));
    const readNow = responses.filter((_, i) => i % 2 === 0).map((r) => r.record?.id);
    await new Promise((resolve) => setImmediate(resolve));
    await pipeline.drain();
    const ids = activities.list({ direction: 'inbound', limit: 1000 }).map((r) => r.id);
    assert.equal(ids.length, 50);
    assert.equal(new Set(ids).size, 50);
    assert.deepEqual(responses.map((r) => r.record?.id).sort(), [...ids].sort(), 'every response names its own record');
    for (const id of readNow) assert.ok(id !== undefined && ids.includes(id));
  });

  it('a forwarded request\'s log line comes with its record, after the answer, once even when recording fails and is tried again', async () => {
    const bot = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
    const logger = new MemoryLogger();
    const config: TeamsBotConfig = { ...defaultConfig(), dmPolicy: 'open', bot: { ...defaultConfig().bot, url: `http://127.0.0.1:${(bot.address() as AddressInfo).port}/api/messages` } };
    const forwarding = new Pipeline({ config: () => config, authenticator: () => undefined, pairing, activities, sender: { send: async () => ({ ok: true, status: 201 }) }, logger });
    const record = activities.record.bind(activities);
    let failures = 1;
    activities.record = (input) => {
      if (failures-- > 0) throw new Error('a bug while recording');
      return record(input);
    };
    try {
      const response = await forwarding.handle(request('forwarded'));
      assert.equal(response.headers['x-teams-bot-dev-fate'], 'delivered');
      const delivered = () => logger.lines.filter((l) => l.message.includes('[msteams] delivered message'));
      assert.equal(delivered().length, 0, 'not logged before the answer is taken');
      assert.throws(() => response.record, /a bug while recording/);
      assert.equal(delivered().length, 1, 'logged when the record was first tried');
      await new Promise((resolve) => setImmediate(resolve));
      await forwarding.drain();
      const [inbound] = activities.list({ direction: 'inbound' });
      assert.equal(inbound?.reason, 'dm-open');
      assert.deepEqual(inbound.botResponse, { status: 200, body: { ok: true } }, 'the answer decoded for the record');
      assert.equal(delivered().length, 1, 'the retry recorded without logging the line again');
    } finally {
      activities.record = record;
      await new Promise((resolve) => bot.close(resolve));
    }
  });

  it('drain() records what is pending, and the log has it on disk once flushed', async () => {
    // Refusals: no send after them, so only drain() can have recorded them by then.
    const refused = (n: number): InboundRequest => ({ ...request('x'), body: Buffer.from(`not json ${n}`) });
    await Promise.all([pipeline.handle(refused(1)), pipeline.handle(refused(2)), pipeline.handle(refused(3))]);
    assert.equal(activities.size(), 0);
    await pipeline.drain();
    await activities.flush();
    const onDisk = await readActivities(dir, { direction: 'inbound' });
    assert.deepEqual(onDisk.map((r) => r.reason), ['malformed-json', 'malformed-json', 'malformed-json']);
  });
});
