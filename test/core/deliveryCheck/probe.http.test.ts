import { strict as assert } from 'node:assert';
import { PROBE_HEADER, PROBE_RECORDS_PER_MINUTE, ProbeRecordBudget, sendProbe } from '../../../src/core/deliveryCheck/probe';
import { readActivities } from '../../../src/core/activity/activityLog';
import { personalMessage, startGateway, startRecordingBot, type RecordingBot, type RunningGateway } from '../../support/gatewayHarness';
import { startTunnelRelay, type TunnelRelay } from '../../support/tunnelRelay';

/**
 * The probe header is handled at the very start of the pipeline: answered by
 * the gateway with the nonce, recorded as reason "probe" (within a budget),
 * never forwarded to the bot, never seen by the policy or pairing, and hidden
 * from the activity lists unless asked.
 */
const STRANGER = { id: '29:stranger', name: 'Stranger' };

describe('Delivery Check probe at the webhook (real gateway over HTTP)', function () {
  this.timeout(30_000);
  let gw: RunningGateway;
  let bot: RecordingBot;
  let relay: TunnelRelay | undefined;

  beforeEach(async () => {
    bot = await startRecordingBot();
    // Local mode with pairing: any message that reached the policy would create a pairing request.
    gw = await startGateway({ dmPolicy: 'pairing', bot: { url: bot.url } });
  });
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await gw.stop();
    await bot.stop();
  });

  it('answers 200 with the nonce and how it arrived; the bot, the policy and pairing never see it', async () => {
    const res = await gw.post(personalMessage(STRANGER, 'hello', 'https://smba.trafficmanager.net/emea/'), { [PROBE_HEADER]: 'nonce-0123456789' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { status: 'probe', probe: 'nonce-0123456789', source: 'loopback', recorded: true });
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'probe');
    assert.equal(res.headers.get('x-teams-bot-dev-fate'), 'dropped');
    assert.equal(bot.requests.length, 0, 'never forwarded to the bot');
    assert.equal(gw.gateway.pairing.list().length, 0, 'never reached pairing');
    const [record] = gw.gateway.activities.list({ probes: true });
    assert.equal(record.reason, 'probe');
    assert.equal(record.activity, undefined, 'the body is not parsed or kept');
    assert.match(record.detail ?? '', /probe nonce-0123456789 arrived from this machine/);
  });

  it('through a tunnel (proxy headers) and even without any credentials in JWT mode, a probe is answered and not authenticated', async () => {
    await gw.stop();
    gw = await startGateway({ appId: '11111111-2222-3333-4444-555555555555', bot: { url: bot.url } });
    relay = await startTunnelRelay(gw.port);
    const reply = await sendProbe(`${relay.url}/api/messages`, 'through-the-tunnel-1');
    assert.equal(reply.kind, 'answered');
    if (reply.kind === 'answered') {
      assert.equal(reply.answer.source, 'tunnel');
      assert.equal(reply.answer.forwardedHost, 'mybot-3978.euw.devtunnels.ms');
    }
    // The same request without the header is what Teams' would be without a token: 401.
    const plain = await fetch(`${relay.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"message"}' });
    assert.equal(plain.status, 401);
    assert.equal(bot.requests.length, 0);
  });

  it('a malformed nonce is still a probe: 400, not forwarded, nothing reflected', async () => {
    const res = await gw.post({ type: 'message', from: STRANGER, text: 'x' }, { [PROBE_HEADER]: '<script>alert(1)</script>' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'probe');
    assert.doesNotMatch(res.text, /script/);
    assert.equal(bot.requests.length, 0);
    assert.equal(gw.gateway.pairing.list().length, 0);
  });

  it(`stores at most ${PROBE_RECORDS_PER_MINUTE} probe records a minute, answering every probe`, async () => {
    const answers = await Promise.all(Array.from({ length: PROBE_RECORDS_PER_MINUTE + 5 }, (_, i) => gw.post({}, { [PROBE_HEADER]: `flood-nonce-${i}` })));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
    assert.equal(answers.filter((a) => a.json.recorded === true).length, PROBE_RECORDS_PER_MINUTE);
    assert.equal(answers.filter((a) => a.json.recorded === false).length, 5);
    assert.equal(gw.gateway.activities.list({ probes: true, limit: 1000 }).length, PROBE_RECORDS_PER_MINUTE);
    // Each recorded probe has its log line; those past the budget, one line between them.
    assert.equal(gw.logger.lines.filter((l) => l.level === 'info' && /\] probe HTTP 200: Delivery Check probe flood-nonce-\d+ arrived/.test(l.message)).length, PROBE_RECORDS_PER_MINUTE);
    assert.equal(gw.logger.lines.filter((l) => l.level === 'warn' && /more than 10 Delivery Check probes in a minute/.test(l.message)).length, 1);
  });

  it('is hidden from the activity lists (in memory and on disk) unless asked', async () => {
    await gw.post({}, { [PROBE_HEADER]: 'hidden-nonce-1' });
    await gw.post(personalMessage(STRANGER, 'real message', 'https://smba.trafficmanager.net/emea/'));
    await gw.gateway.stop();
    const inbound = { direction: 'inbound' } as const;
    assert.deepEqual(gw.gateway.activities.list(inbound).map((r) => r.reason), ['dm-pairing-pending']);
    assert.deepEqual((await readActivities(gw.stateDir, inbound)).map((r) => r.reason), ['dm-pairing-pending']);
    assert.deepEqual((await readActivities(gw.stateDir, { ...inbound, probes: true })).map((r) => r.reason), ['dm-pairing-pending', 'probe']);
  });
});

describe('ProbeRecordBudget', () => {
  it('allows N in any rolling minute', () => {
    let now = 0;
    const budget = new ProbeRecordBudget(2, () => now);
    assert.deepEqual([budget.take(), budget.take(), budget.take()], [true, true, false]);
    now = 59_999;
    assert.equal(budget.take(), false);
    now = 60_000;
    assert.deepEqual([budget.take(), budget.take(), budget.take()], [true, true, false]);
  });
});
