import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveCloud } from '../../../src/core/auth/cloud';
import { BotTokenProvider, type BotTokenConfig } from '../../../src/core/credentials/botTokenProvider';
import { startFakeConnector, type FakeConnector } from '../../support/fakeConnector';
import { hasOpenssl, makeCertificates, runWithTestCa, startFakeEntra, type FakeEntra } from '../connector/fakeEntra';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SECRET = 'Sup3r~Secret.Value_9876';

const base: BotTokenConfig = { appId: APP_ID, authType: 'secret', useManagedIdentity: false, cloud: 'Public' };

describe('BotTokenProvider credential choice', () => {
  const cloud = resolveCloud({ cloud: 'Public' });
  const kindOf = (config: Partial<BotTokenConfig>, appPassword?: string) =>
    new BotTokenProvider({ config: { ...base, ...config }, secrets: { appPassword }, cloud }).kind;

  it('no appId → local mode, no token and no error', async () => {
    const p = new BotTokenProvider({ config: { ...base, appId: undefined }, secrets: { appPassword: SECRET }, cloud });
    assert.equal(p.isLocal, true);
    assert.deepEqual(await p.getToken(), { ok: true, token: undefined });
  });

  it('appId but nothing to prove it with → send-no-credentials', async () => {
    const p = new BotTokenProvider({ config: base, secrets: {}, cloud });
    const r = await p.getToken();
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'send-no-credentials');
  });

  it('picks the credential the config asks for', () => {
    assert.equal(kindOf({}, SECRET), 'client-secret');
    assert.equal(kindOf({ certificatePath: '/tmp/bot.pem' }), 'client-certificate');
    assert.equal(kindOf({ certificatePath: '/tmp/bot.pem' }, SECRET), 'client-certificate');
    assert.equal(kindOf({ useManagedIdentity: true }), 'managed-identity');
    assert.equal(kindOf({ authType: 'federated', managedIdentityClientId: 'mi-client-id' }), 'federated-managed-identity');
    assert.equal(kindOf({ authType: 'federated' }, SECRET), 'federated-managed-identity');
  });

  it('a failure that quotes the secret or a token hides them whole, even where the sentence is clipped', async () => {
    const assertion = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtaSJ9.c2lnbmF0dXJl';
    // The secret straddles the 300 characters the sentence is clipped to: clipping first would leave its head.
    const message = `${'x'.repeat(290)} ${SECRET} then ${assertion}\nTrace ID: 1`;
    const p = new BotTokenProvider({
      config: base, secrets: { appPassword: SECRET }, cloud,
      credential: { getToken: async () => { throw new Error(message); } },
    });
    const r = await p.getToken();
    assert.equal(r.ok, false);
    if (r.ok) return;
    for (const text of [r.detail, r.cause?.message ?? '']) {
      assert.ok(!text.includes(SECRET.slice(0, 6)), `the secret's head leaked: ${text.slice(280)}`);
      assert.ok(!text.includes('eyJzdWIi'), 'the token leaked');
    }
  });
});

/**
 * The real ClientSecretCredential against a local https Entra stand-in. It
 * runs in a child process because NODE_EXTRA_CA_CERTS is read only at start-up.
 */
describe('BotTokenProvider with the real ClientSecretCredential (child process)', function () {
  this.timeout(60_000);
  let dir: string;
  let entra: FakeEntra;
  let connector: FakeConnector;

  before(function () {
    if (!hasOpenssl()) {
      // No openssl: nothing to make a CA with. Say so, or the pending tests would look like a choice.
      process.stderr.write('      (skipped: openssl is not installed, and these tests need it to make a test CA: apt-get install openssl)\n');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbd-entra-'));
    makeCertificates(dir);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    entra = await startFakeEntra({
      cert: fs.readFileSync(path.join(dir, 'leaf.crt'), 'utf8'),
      key: fs.readFileSync(path.join(dir, 'leaf.key'), 'utf8'),
      clientId: APP_ID,
      clientSecret: SECRET,
    });
    connector = await startFakeConnector();
  });
  afterEach(async () => {
    await entra?.stop();
    await connector?.stop();
  });

  const runChild = (input: Record<string, unknown>) =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    runWithTestCa<any>(path.join(__dirname, '../connector/entraSendChild.ts'), dir, input, {}, 45_000);

  it('fetches a token from Entra once and sends it to the Bot Connector', async () => {
    const { stdout, stderr, result } = await runChild({
      authorityHost: entra.authorityHost,
      appId: APP_ID,
      tenantId: 'contoso.onmicrosoft.com',
      appPassword: SECRET,
      serviceUrl: connector.serviceUrl,
      sends: 2,
    });
    assert.equal(result.kind, 'client-secret');
    for (const o of result.outcomes) assert.equal(o.ok, true, JSON.stringify(o));

    // Entra saw the secret, once, on the tenant's token endpoint.
    assert.equal(entra.tokenRequests.length, 1, entra.paths.join('\n'));
    const [req] = entra.tokenRequests;
    assert.equal(req.path, '/contoso.onmicrosoft.com/oauth2/v2.0/token');
    assert.equal(req.form.client_secret, SECRET);
    assert.equal(req.form.client_id, APP_ID);
    assert.equal(req.form.grant_type, 'client_credentials');
    assert.equal(req.form.scope, 'https://api.botframework.com/.default');

    // The connector got exactly the token Entra issued, on both sends.
    assert.equal(entra.issued.length, 1);
    assert.equal(connector.received.length, 2);
    for (const r of connector.received) assert.equal(r.authorization, `Bearer ${entra.issued[0]}`);

    // The secret appears nowhere a developer would read.
    const everything = `${stdout}\n${stderr}\n${JSON.stringify(result.log)}`;
    assert.ok(!everything.includes(SECRET), 'secret leaked into output or logs');
    assert.ok(!everything.includes(entra.issued[0]), 'token leaked into output or logs');
  });

  it('without tenantId uses the cloud login tenant (botframework.com)', async () => {
    const { result } = await runChild({
      authorityHost: entra.authorityHost,
      appId: APP_ID,
      appPassword: SECRET,
      serviceUrl: connector.serviceUrl,
      sends: 1,
    });
    assert.equal(result.outcomes[0].ok, true, JSON.stringify(result.outcomes[0]));
    assert.equal(entra.tokenRequests[0].path, '/botframework.com/oauth2/v2.0/token');
  });

  it('a wrong secret → send-failed, one sentence, no secret, nothing sent', async () => {
    const wrong = 'Wrong~Secret.Value_1234';
    const { stdout, stderr, result } = await runChild({
      authorityHost: entra.authorityHost,
      appId: APP_ID,
      tenantId: 'contoso.onmicrosoft.com',
      appPassword: wrong,
      serviceUrl: connector.serviceUrl,
      sends: 1,
    });
    const [o] = result.outcomes;
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'send-failed');
    assert.match(o.detail, /^Entra ID refused the client-secret token request \(invalid_client\): AADSTS7000215: Invalid client secret provided\./);
    assert.ok(!o.detail.includes('Trace ID'), o.detail);
    assert.equal(o.detail.split('\n').length, 1);
    const everything = `${stdout}\n${stderr}\n${JSON.stringify(result.log)}`;
    assert.ok(!everything.includes(wrong));
    assert.equal(connector.requestCount(), 0);
  });
});
