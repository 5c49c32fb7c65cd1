import { strict as assert } from 'node:assert';
import { parseConfigText } from '../../src/core/config/configLoader';
import { startGateway, personalMessage, type RunningGateway } from '../support/gatewayHarness';

const ALICE = { id: '29:alice', name: 'Alice', aadObjectId: '11111111-1111-4111-8111-111111111111' };
const SERVICE_URL = 'http://127.0.0.1:9/';

/** webhook.path is a literal path: never an Express route pattern. */
describe('webhook.path is matched literally', function () {
  let gw: RunningGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  const start = (path: string) => startGateway({ dmPolicy: 'open', bot: { echo: true }, webhook: { path } });

  it('"/api/:x" matches only itself, not any segment', async () => {
    gw = await start('/api/:x');
    const other = await gw.post(personalMessage(ALICE, 'hi', SERVICE_URL), {}, '/api/anything');
    assert.equal(other.status, 404);
    assert.equal(other.headers.get('x-teams-bot-dev-reason'), 'wrong-path');
    const exact = await gw.post(personalMessage(ALICE, 'hi', SERVICE_URL), {}, '/api/:x');
    assert.equal(exact.status, 200);
    assert.equal(exact.headers.get('x-teams-bot-dev-reason'), 'echo');
  });

  it('"(" and "*" start fine and are served literally', async () => {
    gw = await start('/hooks/(teams)*');
    assert.equal(gw.gateway.status.status, 'running');
    assert.ok(gw.url.endsWith('/hooks/(teams)*'));
    const exact = await gw.post(personalMessage(ALICE, 'hi', SERVICE_URL), {}, '/hooks/(teams)*');
    assert.equal(exact.headers.get('x-teams-bot-dev-reason'), 'echo');
    const near = await gw.post(personalMessage(ALICE, 'hi', SERVICE_URL), {}, '/hooks/teams');
    assert.equal(near.headers.get('x-teams-bot-dev-reason'), 'wrong-path');
    const get = await fetch(new URL('/hooks/(teams)*', gw.url));
    assert.equal(get.status, 200, 'GET on the path answers, as it does for /api/messages');
  });

  it('a custom path still accepts the legacy /api/messages; a near miss of either is wrong-path', async () => {
    gw = await start('/bot');
    assert.equal((await gw.post(personalMessage(ALICE, 'hi', SERVICE_URL), {}, '/api/messages')).headers.get('x-teams-bot-dev-reason'), 'echo');
    assert.equal((await gw.post(personalMessage(ALICE, 'hi', SERVICE_URL), {}, '/bot')).headers.get('x-teams-bot-dev-reason'), 'echo');
    assert.equal((await gw.post(personalMessage(ALICE, 'hi', SERVICE_URL), {}, '/botx')).headers.get('x-teams-bot-dev-reason'), 'wrong-path');
  });

  it('one trailing slash is accepted on webhook.path and on /api/messages (Express did, and a bot may be registered so); otherwise literal and case-sensitive', async () => {
    gw = await start('/bot');
    const reason = async (urlPath: string) => (await gw!.post(personalMessage(ALICE, 'hi', SERVICE_URL), {}, urlPath)).headers.get('x-teams-bot-dev-reason');
    assert.equal(await reason('/bot/'), 'echo');
    assert.equal(await reason('/api/messages/'), 'echo');
    assert.equal(await reason('/bot//'), 'wrong-path');
    assert.equal(await reason('/Bot/'), 'wrong-path');
    assert.equal(await reason('/API/messages'), 'wrong-path');
    assert.ok(!gw.logger.lines.some((l) => l.message.includes(`legacy path`) && l.message.includes('/bot/')), 'the configured path with a slash is not the legacy path');
  });

  describe('the schema rejects a path that cannot be served', () => {
    for (const bad of ['api/messages', '', '/api messages', '/api/messages?x=1', '/api#frag', '/api/\u00e4', '/api/%20', '/api\tx']) {
      it(JSON.stringify(bad), () => {
        const loaded = parseConfigText(JSON.stringify({ webhook: { path: bad } }), { env: {} });
        assert.equal(loaded.config, undefined, 'the config must not load');
        const error = loaded.diagnostics.find((d) => d.severity === 'error' && d.path === 'webhook.path');
        assert.ok(error, `no error on webhook.path: ${JSON.stringify(loaded.diagnostics)}`);
        assert.match(error.message, /must start with "\/"/);
      });
    }
    for (const good of ['/api/messages', '/api/:x', '/hooks/(teams)*', '/a-b_c.d~e/@f']) {
      it(`${JSON.stringify(good)} is accepted`, () => {
        const loaded = parseConfigText(JSON.stringify({ webhook: { path: good } }), { env: {} });
        assert.equal(loaded.config?.webhook.path, good, JSON.stringify(loaded.diagnostics));
      });
    }
  });
});
