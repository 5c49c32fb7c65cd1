import { strict as assert } from 'node:assert';
import { fateOf, type Fate, type Reason } from '../../src/core/reasons';
import { freePort } from '../support/cli';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector';
import { personalMessage, startGateway, startRecordingBot, type RecordingBot, type RunningGateway } from '../support/gatewayHarness';

/**
 * Every answer of the webhook names its fate in x-teams-bot-dev-fate, beside
 * the reason in x-teams-bot-dev-reason: one request per fate against a real
 * gateway on loopback. The header must agree with the reason's fate in
 * reasons.ts and with the record the activity log keeps.
 */
const CAROL = { id: '29:carol', name: 'Carol Tester', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000c0c0' };

describe('gateway over HTTP: the x-teams-bot-dev-fate header', function () {
  let gw: RunningGateway | undefined;
  let connector: FakeConnector;
  let bot: RecordingBot;

  beforeEach(async () => {
    connector = await startFakeConnector();
    bot = await startRecordingBot();
  });
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
    await connector.stop();
    await bot.stop();
  });

  /** Posts, then checks the two headers against each other, reasons.ts and the recorded activity. */
  async function expectFate(g: RunningGateway, body: unknown, fate: Fate, reason: Reason, status: number, urlPath?: string): Promise<void> {
    const inbound = () => g.gateway.activities.list({ limit: 1000 }).filter((r) => r.direction === 'inbound');
    const before = inbound().length;
    const res = await g.post(body, {}, urlPath);
    assert.equal(res.status, status, res.text);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), reason);
    assert.equal(res.headers.get('x-teams-bot-dev-fate'), fate, `${reason}: ${res.text}`);
    assert.equal(fateOf(reason), fate, `reasons.ts gives ${reason} the fate ${fate}`);
    const record = await g.waitForRecord((r) => r.direction === 'inbound' && r.reason === reason);
    assert.equal(record.fate, fate, 'the record has the fate the header named');
    assert.equal(inbound().length, before + 1, 'one record per request');
  }

  it('delivered: a message the bot accepted', async () => {
    gw = await startGateway({ bot: { url: bot.url }, dmPolicy: 'open' });
    await expectFate(gw, personalMessage(CAROL, 'hi', connector.serviceUrl), 'delivered', 'dm-open', 200);
    assert.equal(bot.requests.length, 1);
  });

  it('dropped: a DM from an unpaired sender', async () => {
    gw = await startGateway({ bot: { url: bot.url } });
    await expectFate(gw, personalMessage(CAROL, 'hi', connector.serviceUrl), 'dropped', 'dm-pairing-pending', 200);
    assert.equal(bot.requests.length, 0);
  });

  it('rejected: a body that is not JSON, and a POST to another path', async () => {
    gw = await startGateway({ bot: { url: bot.url }, dmPolicy: 'open' });
    await expectFate(gw, '{"type": "message", ', 'rejected', 'malformed-json', 400);
    await expectFate(gw, personalMessage(CAROL, 'hi', connector.serviceUrl), 'rejected', 'wrong-path', 404, '/api/other');
    assert.equal(bot.requests.length, 0);
  });

  it('failed: an accepted message whose bot is not running', async () => {
    const closed = await freePort();
    gw = await startGateway({ bot: { url: `http://127.0.0.1:${closed}/api/messages` }, dmPolicy: 'open' });
    await expectFate(gw, personalMessage(CAROL, 'hi', connector.serviceUrl), 'failed', 'bot-unreachable', 502);
  });
});
