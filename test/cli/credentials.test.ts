/**
 * `teams-bot-dev credentials check` as a user runs it (dist/cli.js in a child
 * process), with the real @azure/identity against the fake Entra ID (over
 * https, trusted through NODE_EXTRA_CA_CERTS, which only a fresh process
 * reads); and the same Entra refusal on the record of a reply `serve` could
 * not send.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ActivityRecord } from '../../src/core/activity/activityRecord';
import { makeTempDir, postJson, requireBuiltCli, runCli, startServe, type LineProcess } from '../support/cli';
import { startBotFrameworkStub, type BotFrameworkStub } from '../support/botFrameworkStub';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector';
import { personalMessage } from '../support/gatewayHarness';
import { startFakeEntraWithTestCa, type FakeEntra } from '../core/connector/fakeEntra';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SECRET = 'Sup3r~Secret.Value_9876';
/** What the portal shows in the "Secret ID" column: the usual wrong paste. */
const SECRET_ID = '8c4f2a6e-1b3d-4e5f-9a7b-0c1d2e3f4a5b';
const TENANT = 'contoso.onmicrosoft.com';
const CAROL = { id: '29:carol', name: 'Carol Tester', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000c0c0' };

describe('CLI: teams-bot-dev credentials check', function () {
  this.timeout(120_000);
  let entra: FakeEntra & { caFile: string };
  let dir: string;
  let configFile: string;

  before(async function () {
    this.timeout(5 * 60_000);
    entra = await startFakeEntraWithTestCa(this, { clientId: APP_ID, clientSecret: SECRET, tenants: [TENANT, 'botframework.com'] });
    requireBuiltCli();
  });
  after(() => entra?.stop());
  beforeEach(async () => {
    dir = await makeTempDir('tbd-cred-');
    configFile = path.join(dir, 'teams-bot.config.json');
    await fs.writeFile(configFile, JSON.stringify({ appId: APP_ID, tenantId: TENANT, cloudOverrides: { loginEndpoint: entra.authorityHost } }));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const env = (appPassword?: string) => ({
    NODE_EXTRA_CA_CERTS: entra.caFile,
    NO_PROXY: '127.0.0.1,localhost',
    ...(appPassword === undefined ? {} : { MSTEAMS_APP_PASSWORD: appPassword }),
  });
  const check = (args: string[], appPassword?: string) =>
    runCli(['credentials', 'check', '--config', configFile, ...args], { env: env(appPassword), timeoutMs: 60_000 });

  it('the right secret: exit 0, what was issued and to whom, never the secret', async () => {
    const res = await check([], SECRET);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, res.stdout);
    assert.match(lines[0], /^OK: Entra ID issued a Bot Framework token, valid until \d{4}-\d\d-\d\dT[\d:.]+Z: replies and proactive messages can be sent as this app \(the Azure Bot must use it as its Microsoft App ID\)\.$/);
    assert.equal(lines[1], `Identity: app password (client secret) from MSTEAMS_APP_PASSWORD of app ${APP_ID} in tenant ${TENANT} at ${entra.authorityHost}/${TENANT} for https://api.botframework.com/.default (Public cloud)`);
    assert.ok(!res.stdout.includes(SECRET) && !res.stderr.includes(SECRET));
  });

  it("the secret's ID pasted instead of its value: exit 1, the AADSTS code explained on one line and the fix on the next", async () => {
    const res = await check([], SECRET_ID);
    assert.equal(res.code, 1, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, res.stdout);
    assert.match(lines[0], /^Failed \(AADSTS7000215\): Entra ID refused the client-secret token request \(invalid_client\): AADSTS7000215: Invalid client secret provided\..* very often the secret's ID \(a GUID\) was pasted instead of its Value/);
    assert.match(lines[1], /^Fix: In the Azure portal open App registrations → the bot's app → Certificates & secrets, copy the secret's Value/);
    assert.ok(!res.stdout.includes(SECRET_ID), 'the pasted secret ID is never printed');
    assert.equal(res.stderr, '');
  });

  it('--json: the result object as checkCredentials returns it', async () => {
    const res = await check(['--json'], SECRET_ID);
    assert.equal(res.code, 1, res.stderr);
    const result = JSON.parse(res.stdout) as { ok: boolean; code?: string; detail: string; fix: string };
    assert.equal(result.ok, false);
    assert.equal(result.code, 'AADSTS7000215');
    assert.match(result.fix, /secret's Value/);
  });

  it('an appId but no password anywhere: exit 1 with the fix', async () => {
    const res = await check([]);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stdout, /^Failed: An appId is configured but no way to prove it/);
    assert.match(res.stdout, /\nFix: Run "Teams Bot: Set App Password…" in VS Code \(or set MSTEAMS_APP_PASSWORD for the CLI\)/);
  });

  it('no appId (local mode): exit 0 with one "Skipped" line', async () => {
    await fs.writeFile(configFile, '{ "dmPolicy": "open" }');
    const before = entra.paths.length;
    const res = await check([], SECRET);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'Skipped: No appId is configured: the gateway runs in local mode, sends no bot token, so there are no credentials to check.\n');
    assert.equal(entra.paths.length, before, 'nothing was asked of Entra ID');
  });

  it('an invalid config: exit 1 with one sentence on stderr', async () => {
    await fs.writeFile(configFile, '{ "dmPolicy": "sometimes" }');
    const res = await check([], SECRET);
    assert.equal(res.code, 1);
    assert.equal(res.stdout, '');
    assert.equal(res.stderr, `error: ${configFile} is invalid: see its errors with \`teams-bot-dev config validate\`.\n`);
  });

  describe('a reply serve could not send for that reason', () => {
    let stub: BotFrameworkStub;
    let connector: FakeConnector;
    let serve: LineProcess | undefined;
    beforeEach(async () => {
      connector = await startFakeConnector();
      stub = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: connector.serviceUrl });
    });
    afterEach(async () => {
      await serve?.stop();
      serve = undefined;
      await stub.stop();
      await connector.stop();
    });

    it('the pairing code is recorded send-failed with the AADSTS7000215 explanation and the fix; nothing reaches the Bot Connector', async () => {
      await fs.writeFile(configFile, JSON.stringify({
        appId: APP_ID,
        tenantId: TENANT,
        serviceUrl: connector.serviceUrl,
        cloudOverrides: { loginEndpoint: entra.authorityHost, ...stub.cloudOverrides },
        dmPolicy: 'pairing',
      }));
      const stateDir = path.join(dir, '.teams-bot');
      const started = await startServe(['--config', configFile, '--state-dir', stateDir, '--port', '0', '--echo'], { env: env(SECRET_ID) });
      serve = started.serve;
      const res = await postJson(started.url, personalMessage(CAROL, 'hi', connector.serviceUrl), { authorization: `Bearer ${await stub.mint()}` });
      assert.equal(res.json.reason, 'dm-pairing-pending', res.text);
      await serve.waitForLine((l) => /\[msteams\] pairing code \S+ not sent: /.test(l.message), 60_000);
      await serve.stop();
      serve = undefined;

      const listed = await runCli(['activities', '--json', '--config', configFile, '--state-dir', stateDir]);
      assert.equal(listed.code, 0, listed.stderr);
      const outbound = (JSON.parse(listed.stdout) as ActivityRecord[]).filter((r) => r.direction === 'outbound');
      assert.equal(outbound.length, 1, listed.stdout);
      const [record] = outbound;
      assert.equal(record.fate, 'failed');
      assert.equal(record.reason, 'send-failed');
      assert.match(record.detail!, /^pairing code \S+ not sent: Entra ID refused the client-secret token request \(invalid_client\): AADSTS7000215: Invalid client secret provided\./);
      assert.match(record.detail!, /very often the secret's ID \(a GUID\) was pasted instead of its Value/);
      assert.match(record.detail!, /Fix: In the Azure portal open App registrations → the bot's app → Certificates & secrets/);
      assert.ok(!listed.stdout.includes(SECRET_ID));
      assert.equal(connector.requestCount(), 0);
    });
  });
});
