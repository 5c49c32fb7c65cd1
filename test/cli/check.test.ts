/**
 * `teams-bot-dev check` as a user runs it (dist/cli.js in a child process):
 * the stand-in devtunnel and teams CLIs first on PATH, a real gateway on a
 * loopback port, a loopback relay as the tunnel's public URL, and for the
 * credentials the real @azure/identity against the fake Entra ID (over https,
 * trusted through NODE_EXTRA_CA_CERTS, which only a fresh process reads).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DeliveryCheckReport } from '../../src/core/deliveryCheck/hops';
import { CLI_JS, childEnv, freePort, requireBuiltCli } from '../support/cli';
import { startGateway, startRecordingBot, type RecordingBot, type RunningGateway } from '../support/gatewayHarness';
import { startTunnelRelay, type TunnelRelay } from '../support/tunnelRelay';
import { envWithStandIns } from '../core/drivers/driverTestSupport';
import { startFakeEntraWithTestCa, type FakeEntra } from '../core/connector/fakeEntra';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SECRET = 'Sup3r~Secret.Value_9876';
/** What the portal shows in the "Secret ID" column: the usual wrong paste. */
const SECRET_ID = '8c4f2a6e-1b3d-4e5f-9a7b-0c1d2e3f4a5b';
const TENANT = 'contoso.onmicrosoft.com';
const TEAMS_APP_ID = '0e6c1f5a-2b7d-4c3e-9a8f-1d2e3f4a5b6c';

describe('CLI: teams-bot-dev check', function () {
  this.timeout(120_000);
  let entra: FakeEntra & { caFile: string };
  let bot: RecordingBot;
  let gw: RunningGateway;
  let relay: TunnelRelay;
  let tunnelState: string;
  let teamsState: string;

  before(async function () {
    this.timeout(5 * 60_000);
    entra = await startFakeEntraWithTestCa(this, { clientId: APP_ID, clientSecret: SECRET, tenants: [TENANT, 'botframework.com'] });
    requireBuiltCli();
  });
  after(() => entra?.stop());
  beforeEach(async () => {
    bot = await startRecordingBot();
    const port = await freePort();
    gw = await startGateway({
      appId: APP_ID, tenantId: TENANT, cloudOverrides: { loginEndpoint: entra.authorityHost }, bot: { url: bot.url },
      webhook: { port }, tunnel: { id: 'mybot' }, teamsAppId: TEAMS_APP_ID,
    });
    relay = await startTunnelRelay(port);
    tunnelState = path.join(gw.dir, 'devtunnel-state.json');
    teamsState = path.join(gw.dir, 'teams-state.json');
    await fs.writeFile(tunnelState, JSON.stringify({ loggedIn: true, tunnels: { mybot: { anonymous: true, ports: [{ portNumber: port, protocol: 'auto' }], hostConnections: 1 } } }));
    await fs.writeFile(teamsState, JSON.stringify({ loggedIn: true, apps: { [TEAMS_APP_ID]: { name: 'mybot', botId: APP_ID, endpoint: `${relay.url}/api/messages`, version: '1.0.0' } } }));
  });
  afterEach(async () => {
    await relay.stop();
    await gw.stop();
    await bot.stop();
  });

  /** Like runCli, but with MSTEAMS_APP_PASSWORD (childEnv strips it) and the test CA. */
  function checkCli(args: string[], appPassword: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      ...childEnv(),
      ...envWithStandIns({ FAKE_DEVTUNNEL_STATE: tunnelState, FAKE_DEVTUNNEL_URL: relay.url, FAKE_TEAMS_STATE: teamsState }),
      NO_COLOR: '1',
      NODE_EXTRA_CA_CERTS: entra.caFile,
      NO_PROXY: '127.0.0.1,localhost',
      MSTEAMS_APP_PASSWORD: appPassword,
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI_JS, 'check', '--config', gw.configFile, '--state-dir', gw.stateDir, ...args], { env, timeout: 90_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      });
    });
  }

  it('--json, the secret ID pasted instead of its value: exit 1, the credentials hop failed with AADSTS7000215', async () => {
    const { code, stdout, stderr } = await checkCli(['--json'], SECRET_ID);
    assert.equal(code, 1, stderr);
    const report = JSON.parse(stdout) as DeliveryCheckReport;
    assert.equal(report.ok, false);
    const byId = Object.fromEntries(report.hops.map((h) => [h.id, h]));
    assert.deepEqual(report.hops.map((h) => [h.id, h.status]), [
      ['config', 'passed'], ['webhook', 'passed'], ['tunnel', 'passed'], ['probe', 'passed'], ['endpoint', 'passed'],
      ['credentials', 'failed'], ['bot', 'passed'], ['last-activity', 'warning'],
    ], stdout);
    assert.match(`${byId.credentials.summary} ${byId.credentials.evidence.join(' ')}`, /AADSTS7000215/);
    assert.match(byId.credentials.evidence.join(' '), /value/i, 'the fix says to paste the secret\'s value');
    assert.doesNotMatch(stdout, new RegExp(SECRET_ID), 'the pasted secret ID is never printed');
    assert.equal(bot.requests.length, 0, 'the probes never reached the bot');
  });

  it('the right secret: exit 0; the text report puts the warning first and says how to fix it', async () => {
    const { code, stdout, stderr } = await checkCli([], SECRET);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    const lines = stdout.split('\n');
    assert.equal(lines[0], `Delivery Check: 0 failed, 1 warning, 7 passed, 0 skipped (${gw.configFile})`);
    assert.equal(lines[2], '! Last activity from Teams');
    assert.match(stdout, /✓ Bot credentials get a token\n {4}A Bot Framework token was issued to app password \(client secret\) from MSTEAMS_APP_PASSWORD of app 11111111/);
    assert.doesNotMatch(stdout, new RegExp(SECRET.replace(/[.~]/g, '\\$&')), 'never the secret');
  });

  it('webhook not running: exit 1, the failure first with the command that fixes it', async () => {
    await gw.gateway.stop();
    const { code, stdout } = await checkCli([], SECRET);
    assert.equal(code, 1, stdout);
    const lines = stdout.split('\n');
    assert.match(lines[0], /^Delivery Check: 1 failed, /);
    assert.equal(lines[2], '✗ Webhook is listening');
    assert.match(lines[3], /Nothing listens on 127\.0\.0\.1:\d+: the webhook is not running\./);
    assert.ok(lines.includes('    fix: teams-bot-dev serve'), stdout);
    assert.match(stdout, /– Public URL reaches the webhook\n {4}the webhook is not answering locally/);
  });

  it('activities hides the probes the check sent; --probes shows them', async () => {
    await checkCli(['--json'], SECRET);
    await gw.gateway.activities.flush();
    const env = childEnv();
    const list = (extra: string[]) => new Promise<unknown[]>((resolve, reject) => {
      execFile(process.execPath, [CLI_JS, 'activities', '--json', '--state-dir', gw.stateDir, ...extra], { env }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as unknown[])));
    });
    assert.deepEqual(await list([]), []);
    const probes = (await list(['--probes'])) as { reason: string; source: string }[];
    assert.deepEqual(probes.map((r) => `${r.reason}/${r.source}`).sort(), ['probe/loopback', 'probe/tunnel']);
  });
});
