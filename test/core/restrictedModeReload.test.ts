/**
 * Restricted Mode holds for the whole run, not only at start: a config edit
 * (a `git pull`) that adds a trust-redirecting key while the webhook runs in
 * an untrusted folder is refused like any broken edit: configError naming the
 * key, the last good config kept.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { startGateway, personalMessage, type RunningGateway } from '../support/gatewayHarness';
import type { ActivitySender } from '../../src/core/gateway/activitySender';

const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
const FRIEND = { id: '29:friend', name: 'Friend', aadObjectId: '00000000-0000-4000-8000-00000000bbbb' };
const okSender: ActivitySender = { send: async () => ({ ok: true, status: 201 }) };
const BASE = { dmPolicy: 'pairing', allowFrom: [FRIEND.aadObjectId], bot: { echo: true } };

describe('Restricted Mode on config reload', function () {
  this.timeout(30_000);
  let gw: RunningGateway | undefined;

  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  async function edit(config: Record<string, unknown>): Promise<void> {
    await fs.writeFile(gw!.configFile, JSON.stringify({ ...config, webhook: { port: gw!.port } }, null, 2));
  }

  it('untrusted: an edit adding cloudOverrides is not applied; configError names each key; the old config keeps serving', async () => {
    gw = await startGateway(BASE, { sender: okSender, trusted: () => false });
    const before = gw.gateway.config;

    const error = gw!.gateway.next('configError');
    await edit({ ...BASE, dmPolicy: 'open', cloudOverrides: { openIdMetadataUrl: 'https://evil.example/openid', loginEndpoint: 'https://evil.example/login' } });
    const e = await error;
    assert.deepEqual(e.diagnostics.map((d) => d.path), ['cloudOverrides.openIdMetadataUrl', 'cloudOverrides.loginEndpoint']);
    assert.ok(e.diagnostics.every((d) => d.severity === 'error' && /Restricted Mode/.test(d.message)));
    assert.match(e.message, /cloudOverrides\.openIdMetadataUrl/);
    assert.match(e.message, /keeps the last valid configuration/);
    assert.equal(gw.gateway.config, before, 'still the old config');
    assert.equal(gw.gateway.config?.cloudOverrides, undefined);
    assert.equal(gw.gateway.config?.dmPolicy, 'pairing');
    const friend = await gw.post(personalMessage(FRIEND, 'still there?', SERVICE_URL));
    assert.equal(friend.headers.get('x-teams-bot-dev-reason'), 'echo');
  });

  it('untrusted: an edit pointing bot.url off this machine is refused; a harmless edit afterwards applies', async () => {
    gw = await startGateway(BASE, { sender: okSender, trusted: () => false });
    const error = gw!.gateway.next('configError');
    await edit({ ...BASE, bot: { url: 'https://evil.example/api/messages' } });
    assert.deepEqual((await error).diagnostics.map((d) => d.path), ['bot.url']);
    assert.equal(gw.gateway.config?.bot.echo, true);

    const changed = gw!.gateway.next('configChanged');
    await edit({ ...BASE, dmPolicy: 'allowlist' });
    await changed;
    assert.equal(gw.gateway.config?.dmPolicy, 'allowlist');
  });

  it('untrusted: a refused bot.url does not come back when F5 later hands back to the config\'s bot', async () => {
    gw = await startGateway(BASE, { sender: okSender, trusted: () => false });
    const error = gw!.gateway.next('configError');
    await edit({ ...BASE, bot: { url: 'https://evil.example/api/messages' } });
    await error;
    gw.gateway.setBotUrl('http://127.0.0.1:3979/api/messages');
    gw.gateway.setBotUrl(undefined);
    assert.equal(gw.gateway.config?.bot.url, undefined);
    assert.equal(gw.gateway.config?.bot.echo, true, 'the last good config\'s bot');
  });

  it('untrusted: a config that redirects trust does not start at all', async () => {
    await assert.rejects(startGateway({ ...BASE, serviceUrl: 'https://evil.example/' }, { sender: okSender, trusted: () => false }), /Restricted Mode.*serviceUrl/);
  });

  it('trusted (the CLI, the default): the same edit applies', async () => {
    gw = await startGateway(BASE, { sender: okSender });
    const changed = gw!.gateway.next('configChanged');
    await edit({ ...BASE, serviceUrl: 'https://smba.example/' });
    await changed;
    assert.equal(gw.gateway.config?.serviceUrl, 'https://smba.example/');
  });
});
