import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../../src/core/config/configLoader';
import { freePort } from '../../../src/core/process/freePort';
import { checkCredentials, type CredentialCheckResult } from '../../../src/core/credentials/credentialCheck';
import { hasOpenssl, makeCertificates, runWithTestCa, startFakeEntra, type FakeEntra } from '../connector/fakeEntra';
// Type only: erased, so importing it does not run the child's main().
import type { ChildCase } from './credentialCheckChild';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SECRET = 'Sup3r~Secret.Value_9876';
/** What the portal shows in the "Secret ID" column: a GUID, the usual wrong paste. */
const SECRET_ID = '8c4f2a6e-1b3d-4e5f-9a7b-0c1d2e3f4a5b';
const EXPIRED_SECRET = 'Old~Secret.Value_1234';
const MI_ID = '99999999-8888-7777-6666-555555555555';
const CONTOSO = 'contoso.onmicrosoft.com';

describe('checkCredentials without a network', () => {
  it('no appId → skipped: local mode has nothing to check', async () => {
    const r = await checkCredentials({ config: defaultConfig(), secrets: { appPassword: SECRET }, env: {} });
    assert.ok('skipped' in r && r.skipped, JSON.stringify(r));
    assert.match(r.detail, /local mode/);
  });

  it('an appId with nothing to prove it → failed, with the fix (Set App Password…)', async () => {
    const r = await checkCredentials({ config: { ...defaultConfig(), appId: APP_ID }, secrets: {}, env: {} });
    assert.ok('ok' in r && !r.ok, JSON.stringify(r));
    if ('ok' in r && !r.ok) {
      assert.equal(r.code, undefined);
      assert.match(r.detail, /no way to prove it/);
      assert.match(r.fix, /Set App Password/);
      assert.match(r.fix, /MSTEAMS_APP_PASSWORD/);
    }
  });

  it('an empty password in the secret store does not hide MSTEAMS_APP_PASSWORD (as for the gateway)', async () => {
    // Unreachable authority: only which secret was chosen matters here, and the result says it.
    const config = { ...defaultConfig(), appId: APP_ID, cloudOverrides: { loginEndpoint: 'https://127.0.0.1:9' } };
    const r = await checkCredentials({ config, secrets: { appPassword: '' }, env: { MSTEAMS_APP_PASSWORD: 'x-from-env' }, timeoutMs: 3000 });
    assert.ok('ok' in r && !r.ok, JSON.stringify(r));
    assert.match(r.detail, /app password \(client secret\) from MSTEAMS_APP_PASSWORD/);
  });

  it('the loaded config\'s secrets (MSTEAMS_APP_PASSWORD\'s value) are said to come from MSTEAMS_APP_PASSWORD, not a secret store; it wins over a stored one, as when the webhook starts', async () => {
    const config = { ...defaultConfig(), appId: APP_ID, cloudOverrides: { loginEndpoint: 'https://127.0.0.1:9' } };
    const env = { MSTEAMS_APP_PASSWORD: 'x-from-env' };
    for (const secrets of [{ appPassword: 'x-from-env' }, { appPassword: 'x-stored' }]) {
      const r = await checkCredentials({ config, secrets, env, timeoutMs: 300 });
      assert.ok('ok' in r && !r.ok, JSON.stringify(r));
      assert.match(r.detail, /app password \(client secret\) from MSTEAMS_APP_PASSWORD of app/);
      assert.doesNotMatch(r.detail, /secret store/);
    }
  });
});

/**
 * The real @azure/identity credentials (secret, federated managed identity)
 * against the local Entra stand-in, in a child process: NODE_EXTRA_CA_CERTS
 * and the managed identity variables are read from the process environment.
 */
describe('checkCredentials against a fake Entra ID (child process)', function () {
  this.timeout(120_000);
  let dir: string;
  let main: FakeEntra;
  let singleTenant: FakeEntra;
  let skewed: FakeEntra;
  let closedPort: number;
  let results: Record<string, CredentialCheckResult>;
  let everything: string;

  before(async function () {
    if (!hasOpenssl()) {
      process.stderr.write('      (skipped: openssl is not installed, and these tests need it to make a test CA: apt-get install openssl)\n');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbd-credcheck-'));
    makeCertificates(dir);
    const tls = { cert: fs.readFileSync(path.join(dir, 'leaf.crt'), 'utf8'), key: fs.readFileSync(path.join(dir, 'leaf.key'), 'utf8') };
    // The bot's certificate (key and certificate in one PEM, as certificatePath takes it), registered on the app; and one that is not.
    fs.writeFileSync(path.join(dir, 'bot.pem'), `${tls.key}${tls.cert}`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.crt', '-days', '2', '-subj', '/CN=another app'], { cwd: dir, stdio: 'pipe' });
    fs.writeFileSync(path.join(dir, 'other.pem'), `${fs.readFileSync(path.join(dir, 'other.key'), 'utf8')}${fs.readFileSync(path.join(dir, 'other.crt'), 'utf8')}`);
    const app = { ...tls, clientId: APP_ID, clientSecret: SECRET };
    main = await startFakeEntra({
      ...app,
      expiredSecrets: [EXPIRED_SECRET],
      tenants: [CONTOSO, 'botframework.com'],
      federatedManagedIdentity: MI_ID,
      certificates: [tls.cert],
    });
    singleTenant = await startFakeEntra({ ...app, appTenant: CONTOSO });
    skewed = await startFakeEntra({ ...app, federatedManagedIdentity: MI_ID, expiredAssertions: true });
    closedPort = await freePort();

    const secretConfig = (entra: FakeEntra, extra: Record<string, unknown> = {}) => ({
      appId: APP_ID,
      tenantId: CONTOSO,
      cloudOverrides: { loginEndpoint: entra.authorityHost },
      ...extra,
    });
    const federated = (entra: FakeEntra, miId: string) => secretConfig(entra, { authType: 'federated', useManagedIdentity: true, managedIdentityClientId: miId });
    const [a, b] = await Promise.all([
      runChild(dir, main, [
        { name: 'ok', config: secretConfig(main), appPassword: SECRET },
        { name: 'ok-from-env', config: secretConfig(main), env: { MSTEAMS_APP_PASSWORD: SECRET } },
        { name: 'secret-id', config: secretConfig(main), appPassword: SECRET_ID },
        { name: 'expired', config: secretConfig(main), appPassword: EXPIRED_SECRET },
        { name: 'no-such-tenant', config: secretConfig(main, { tenantId: 'fabrikam.onmicrosoft.com' }), appPassword: SECRET },
        { name: 'single-tenant-without-tenantId', config: secretConfig(singleTenant, { tenantId: undefined }), appPassword: SECRET },
        { name: 'federated-ok', config: federated(main, MI_ID), appPassword: 'leftover-env-secret' },
        { name: 'certificate-ok', config: secretConfig(main, { certificatePath: path.join(dir, 'bot.pem') }) },
        { name: 'certificate-unregistered', config: secretConfig(main, { certificatePath: path.join(dir, 'other.pem') }) },
        { name: 'certificate-missing', config: secretConfig(main, { certificatePath: path.join(dir, 'nowhere.pem') }) },
        { name: 'federated-untrusted', config: federated(main, 'aaaaaaaa-0000-0000-0000-000000000000') },
        { name: 'unreachable', config: secretConfig(main, { cloudOverrides: { loginEndpoint: `https://127.0.0.1:${closedPort}` } }), appPassword: SECRET, timeoutMs: 8000 },
      ]),
      runChild(dir, skewed, [{ name: 'federated-clock-skew', config: federated(skewed, MI_ID) }]),
    ]);
    results = { ...a.results, ...b.results };
    everything = `${a.stdout}\n${a.stderr}\n${b.stdout}\n${b.stderr}`;
  });
  after(async () => {
    await Promise.all([main?.stop(), singleTenant?.stop(), skewed?.stop()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const failed = (name: string) => {
    const r = results[name];
    assert.ok(r && 'ok' in r && r.ok === false, `${name}: ${JSON.stringify(r)}`);
    return r as Extract<CredentialCheckResult, { ok: false }>;
  };

  it('the right secret → ok, naming identity, tenant and authority; one token request with that secret', () => {
    const r = results.ok;
    assert.ok('ok' in r && r.ok, JSON.stringify(r));
    if (!('ok' in r && r.ok)) return;
    assert.equal(r.identity, `app password (client secret) from the secret store of app ${APP_ID} in tenant ${CONTOSO} at ${main.authorityHost}/${CONTOSO} for https://api.botframework.com/.default (Public cloud)`);
    assert.match(r.detail, /^Entra ID issued a Bot Framework token, valid until \d{4}-/);
    const contoso = main.tokenRequests.filter((t) => t.form.client_secret === SECRET && t.path === `/${CONTOSO}/oauth2/v2.0/token`);
    assert.equal(contoso.length, 2, 'one request each for "ok" and "ok-from-env"');
  });

  it('the secret from MSTEAMS_APP_PASSWORD → ok, and says where it came from', () => {
    const r = results['ok-from-env'];
    assert.ok('ok' in r && r.ok, JSON.stringify(r));
    if ('ok' in r && r.ok) assert.match(r.identity, /^app password \(client secret\) from MSTEAMS_APP_PASSWORD of app /);
  });

  it("the secret's ID pasted instead of its value → AADSTS7000215, explained, with the fix", () => {
    const r = failed('secret-id');
    assert.equal(r.code, 'AADSTS7000215');
    assert.match(r.detail, /^Entra ID refused the client-secret token request \(invalid_client\): AADSTS7000215: Invalid client secret provided\. Ensure the secret being sent in the request is the client secret value, not the client secret ID/);
    assert.match(r.detail, /the secret's ID \(a GUID\) was pasted instead of its Value/);
    assert.match(r.detail, new RegExp(`in tenant ${CONTOSO}`));
    assert.match(r.fix, /Certificates & secrets, copy the secret's Value/);
    assert.deepEqual(r.fixIn, { kind: 'app-password' });
    assert.ok(!r.detail.includes('Trace ID'), r.detail);
  });

  it('an expired secret → AADSTS7000222, explained', () => {
    const r = failed('expired');
    assert.equal(r.code, 'AADSTS7000222');
    assert.match(r.detail, /AADSTS7000222: The provided client secret keys for app '11111111-2222-3333-4444-555555555555' are expired/);
    assert.match(r.detail, /The app password has expired/);
    assert.match(r.fix, /Add a new client secret/);
  });

  it('a tenantId that does not exist → AADSTS90002 (Entra refuses the discovery), explained', () => {
    const r = failed('no-such-tenant');
    assert.equal(r.code, 'AADSTS90002');
    assert.match(r.detail, /Tenant 'fabrikam\.onmicrosoft\.com' not found/);
    assert.match(r.fix, /"tenantId"/);
    assert.match(r.fix, /"cloud"/);
  });

  it('a single-tenant app without tenantId → AADSTS700016 from botframework.com, explained', () => {
    const r = failed('single-tenant-without-tenantId');
    assert.equal(r.code, 'AADSTS700016');
    assert.match(r.detail, /was not found in the directory 'botframework\.com'/);
    assert.match(r.detail, /in tenant botframework\.com at /);
    assert.match(r.detail, /single-tenant/);
    assert.match(r.fix, /Directory \(tenant\) ID/);
    assert.deepEqual(r.fixIn, { kind: 'config', key: 'tenantId' });
  });

  it('federated: the managed identity token as assertion → ok, the leftover app password unused', () => {
    const r = results['federated-ok'];
    assert.ok('ok' in r && r.ok, JSON.stringify(r));
    if ('ok' in r && r.ok) assert.match(r.identity, /^federated credential \(managed identity token as assertion\) of app /);
    const assertionRequests = main.tokenRequests.filter((t) => t.form.client_assertion !== undefined);
    assert.ok(assertionRequests.length >= 1);
    for (const t of assertionRequests) {
      assert.equal(t.form.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      assert.equal(t.form.client_secret, undefined);
    }
    assert.ok(main.managedIdentity.requests.some((q) => q.includes('resource=api%3A%2F%2FAzureADTokenExchange') && q.includes(`client_id=${MI_ID}`)), main.managedIdentity.requests.join('\n'));
  });

  it('a registered certificate → ok: a signed assertion, no secret sent', () => {
    const r = results['certificate-ok'];
    assert.ok('ok' in r && r.ok, JSON.stringify(r));
    if ('ok' in r && r.ok) assert.match(r.identity, new RegExp(`^certificate of app ${APP_ID} in tenant ${CONTOSO}`));
  });

  it('a certificate not registered on the app → AADSTS700027, explained, fix at certificatePath', () => {
    const r = failed('certificate-unregistered');
    assert.equal(r.code, 'AADSTS700027');
    assert.match(r.detail, /The certificate with identifier used to sign the client assertion is not registered on application/);
    assert.match(r.detail, /is not one of this app's registered certificates/);
    assert.deepEqual(r.fixIn, { kind: 'config', key: 'certificatePath' });
  });

  it('a certificatePath with no file → failed before Entra ID is asked, fix at certificatePath', () => {
    const r = failed('certificate-missing');
    assert.equal(r.code, undefined);
    assert.match(r.detail, /nowhere\.pem/);
    assert.deepEqual(r.fixIn, { kind: 'config', key: 'certificatePath' });
  });

  it('federated: an identity the app does not trust → AADSTS70021, explained', () => {
    const r = failed('federated-untrusted');
    assert.equal(r.code, 'AADSTS70021');
    assert.match(r.detail, /No matching federated identity record/);
    assert.match(r.fix, /Federated credentials/);
  });

  it('federated: an assertion out of its valid time range (clock skew) → AADSTS700024, explained', () => {
    const r = failed('federated-clock-skew');
    assert.equal(r.code, 'AADSTS700024');
    assert.match(r.detail, /Client assertion is not within its valid time range/);
    assert.match(r.fix, /clock/);
  });

  it('Entra ID unreachable → failed, no code, the fix names the host to reach', () => {
    const r = failed('unreachable');
    assert.equal(r.code, undefined);
    assert.match(r.fix, new RegExp(`reach https://127\\.0\\.0\\.1:${closedPort}`));
  });

  it('no secret, assertion or token appears in any result or log line', () => {
    for (const secret of [SECRET, SECRET_ID, EXPIRED_SECRET, 'leftover-env-secret', ...main.issued, ...skewed.issued]) {
      assert.ok(!everything.includes(secret), `leaked: ${secret.slice(0, 6)}…`);
    }
    assert.ok(!/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.test(everything), 'an assertion leaked');
  });
});


async function runChild(dir: string, entra: FakeEntra, cases: ChildCase[]) {
  // MSAL reads the App Service managed identity variables from the process environment.
  const env = { IDENTITY_ENDPOINT: entra.managedIdentity.endpoint, IDENTITY_HEADER: entra.managedIdentity.header };
  const { stdout, stderr, result } = await runWithTestCa<{ results: Record<string, CredentialCheckResult>; log: unknown }>(
    path.join(__dirname, 'credentialCheckChild.ts'), dir, cases, env, 100_000);
  return { stdout, stderr: `${stderr}\n${JSON.stringify(result.log)}`, results: result.results };
}
