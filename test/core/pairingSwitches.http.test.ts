import { strict as assert } from 'node:assert';
import { startGateway, personalMessage, type RunningGateway } from '../support/gatewayHarness';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector';

/**
 * The two pairing switches, each tested on and off against a real gateway on
 * loopback and a stand-in Bot Connector: pairing.autoReply (the pairing code
 * goes to the sender's chat) and pairing.notifyOnApprove (the sender is told
 * when approved). Off, the request is still made, logged and approvable; only
 * the message to the sender is left out.
 *
 * No test waits a fixed time for "nothing was sent": the approval notice is sent
 * and awaited inside approve(), and the pairing-code reply, when there is one,
 * was scheduled before that, so by the time approve() resolves the connector
 * has seen everything the gateway was going to send. The "on" cases prove the
 * stand-in connector would have seen it.
 */
const CAROL = { id: '29:carol', name: 'Carol Tester', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000c0c0' };

describe('gateway over HTTP: pairing.autoReply and pairing.notifyOnApprove', function () {
  let gw: RunningGateway | undefined;
  let connector: FakeConnector;

  beforeEach(async () => {
    connector = await startFakeConnector();
  });
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
    await connector.stop();
  });

  const texts = () => connector.received.map((r) => (r.body as { text: string }).text);
  const CODE_REPLY = /Your pairing code is \*\*[A-Z0-9]{8}\*\*/;
  const NOTICE = /you are approved/;

  /** Carol's first DM: dropped with a code, whatever the switches say. */
  async function firstMessage(g: RunningGateway): Promise<string> {
    const res = await g.post(personalMessage(CAROL, 'hello', connector.serviceUrl));
    assert.equal(res.status, 200);
    assert.equal(res.json.reason, 'dm-pairing-pending');
    const request = g.gateway.pairing.getBySender(CAROL.id);
    assert.ok(request, 'the pairing request is made');
    assert.ok(g.logger.lines.some((l) => l.message === `[msteams] pairing request sender=${CAROL.id} code=${request.code}`));
    return request.code;
  }

  it('autoReply on (the default): the code goes to the sender\'s chat, then the approval notice', async () => {
    gw = await startGateway({ bot: { echo: true } });
    const code = await firstMessage(gw);
    await gw.waitForRecord((r) => r.direction === 'outbound' && r.reason === 'sent' && (r.detail ?? '').startsWith(`pairing code ${code} sent`));
    const result = await gw.gateway.approve(code);
    assert.equal(result.notice.sent, true);
    assert.equal(texts().length, 2, texts().join('\n---\n'));
    assert.match(texts()[0], CODE_REPLY);
    assert.match(texts()[0], new RegExp(code));
    assert.match(texts()[1], NOTICE);
  });

  it('autoReply off: no code is sent to the chat, the request is still made and approvable, and the notice still goes', async () => {
    gw = await startGateway({ bot: { echo: true }, pairing: { autoReply: false } });
    const code = await firstMessage(gw);
    const result = await gw.gateway.approve(code);
    assert.equal(result.entry, CAROL.aadObjectId);
    assert.equal(result.notice.sent, true);
    // Only the notice: a code reply would have been scheduled before approve() began.
    assert.equal(texts().length, 1, texts().join('\n---\n'));
    assert.match(texts()[0], NOTICE);
    assert.equal(gw.gateway.activities.list({ limit: 100 }).filter((r) => r.direction === 'outbound' && (r.detail ?? '').includes('pairing code')).length, 0, 'no pairing-code send recorded');
  });

  it('notifyOnApprove off: the approval is made and says no notice was sent; the sender only ever got the code', async () => {
    gw = await startGateway({ bot: { echo: true }, pairing: { notifyOnApprove: false } });
    const code = await firstMessage(gw);
    await gw.waitForRecord((r) => r.direction === 'outbound' && r.reason === 'sent' && (r.detail ?? '').startsWith(`pairing code ${code} sent`));
    const result = await gw.gateway.approve(code);
    assert.equal(result.entry, CAROL.aadObjectId);
    assert.equal(result.notice.sent, false);
    assert.match(result.notice.detail, /pairing\.notifyOnApprove is off/);
    assert.deepEqual(texts().map((t) => CODE_REPLY.test(t)), [true], texts().join('\n---\n'));
    assert.equal(gw.gateway.pairing.getBySender(CAROL.id), undefined, 'the request is no longer pending');
  });

  it('both off: the sender is sent nothing at all, and the approval still lets them in', async () => {
    gw = await startGateway({ bot: { echo: true }, pairing: { autoReply: false, notifyOnApprove: false } });
    const code = await firstMessage(gw);
    const result = await gw.gateway.approve(code);
    assert.equal(result.notice.sent, false);
    const g = gw;
    const res = await g.post(personalMessage(CAROL, 'now?', connector.serviceUrl));
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'echo');
    // The echo reply is the only message Carol ever got, and it is the barrier: everything before it has arrived.
    await g.waitForRecord((r) => r.direction === 'outbound' && r.reason === 'sent' && (r.detail ?? '').startsWith('echo reply sent'));
    assert.deepEqual(texts(), ['Echo: now?']);
  });
});
