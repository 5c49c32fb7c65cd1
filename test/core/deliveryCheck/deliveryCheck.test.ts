import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { parse as parseJsonc } from 'jsonc-parser';
import { runDeliveryCheck, type DeliveryCheckInput } from '../../../src/core/deliveryCheck/deliveryCheck';
import type { DeliveryCheckReport, HopId, HopResult } from '../../../src/core/deliveryCheck/hops';
import { checkCredentials } from '../../../src/core/credentials/credentialCheck';
import { Devtunnel } from '../../../src/core/drivers/devtunnel';
import { TeamsCli } from '../../../src/core/drivers/teamsCli';
import { freePort } from '../../../src/core/process/freePort';
import { runningGateway } from '../../../src/core/gatewayLockFile';
import { startBotFrameworkStub, type BotFrameworkStub } from '../../support/botFrameworkStub';
import { startFakeConnector, type FakeConnector } from '../../support/fakeConnector';
import { personalMessage, startGateway, startRecordingBot, type RecordingBot, type RunningGateway } from '../../support/gatewayHarness';
import { RELAY_PUBLIC_HOST, startTunnelRelay, type TunnelRelay } from '../../support/tunnelRelay';
import { envWithStandIns } from '../drivers/driverTestSupport';
import { waitFor } from '../../support/cli';

/**
 * The Delivery Check against real parts: a gateway on a loopback port, the
 * devtunnel and teams stand-ins (printing what the real CLIs print), a
 * loopback relay as the tunnel's public URL (adding the headers a dev tunnel
 * adds), the Bot Framework token stub for a message "from Teams", and a
 * recording bot. Each case breaks one hop and expects that hop to fail with
 * its fix, and the hops that depend on it to be skipped.
 */
const APP_ID = '3a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const TEAMS_APP_ID = '0e6c1f5a-2b7d-4c3e-9a8f-1d2e3f4a5b6c';
const CAROL = { id: '29:carol', name: 'Carol Tester', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000c0c0' };

/** Stands in for Entra only: the Credential Check's own logic runs on what it returns. */
const tokenCredential = (outcome: 'ok' | 'bad-secret'): TokenCredential => ({
  async getToken(): Promise<AccessToken> {
    if (outcome === 'ok') return { token: 'header.eyJhdWQiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.sig', expiresOnTimestamp: Date.now() + 3_600_000 };
    throw Object.assign(new Error('AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app \'3a9b8c7d\'.'), { name: 'AuthenticationError' });
  },
});

interface Setup {
  gw: RunningGateway;
  relay: TunnelRelay;
  port: number;
  tunnelState: string;
  teamsState: string;
  check(over?: Partial<DeliveryCheckInput>): Promise<DeliveryCheckReport>;
}

describe('Delivery Check (core, real gateway and CLI stand-ins)', function () {
  this.timeout(60_000);
  let stub: BotFrameworkStub;
  let connector: FakeConnector;
  let bot: RecordingBot;
  const running: { stop(): Promise<void> }[] = [];

  before(async () => {
    connector = await startFakeConnector();
    stub = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: connector.serviceUrl });
  });
  after(async () => {
    await stub?.stop();
    await connector?.stop();
  });
  beforeEach(async () => {
    bot = await startRecordingBot();
    running.push(bot);
  });
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.stop().catch(() => undefined);
  });

  async function setup(opts: {
    config?: Record<string, unknown>;
    tunnel?: { ports?: number[]; hostConnections?: number } | 'missing';
    endpoint?: string;
    credentials?: 'ok' | 'bad-secret';
  } = {}): Promise<Setup> {
    const port = await freePort();
    const gw = await startGateway({
      appId: APP_ID, cloudOverrides: stub.cloudOverrides, serviceUrl: connector.serviceUrl, dmPolicy: 'open', bot: { url: bot.url },
      webhook: { port }, tunnel: { id: 'mybot' }, teamsAppId: TEAMS_APP_ID, ...opts.config,
    });
    const relay = await startTunnelRelay(port);
    running.push(gw, relay);
    const tunnelState = path.join(gw.dir, 'devtunnel-state.json');
    const teamsState = path.join(gw.dir, 'teams-state.json');
    const tunnels = opts.tunnel === 'missing' ? {} : {
      mybot: { anonymous: true, ports: (opts.tunnel?.ports ?? [port]).map((portNumber) => ({ portNumber, protocol: 'auto' })), hostConnections: opts.tunnel?.hostConnections ?? 1 },
    };
    await fs.writeFile(tunnelState, JSON.stringify({ loggedIn: true, tunnels }));
    await fs.writeFile(teamsState, JSON.stringify({
      loggedIn: true,
      apps: { [TEAMS_APP_ID]: { name: 'mybot', botId: APP_ID, endpoint: opts.endpoint ?? `${relay.url}/api/messages`, validDomains: ['127.0.0.1'], version: '1.0.0' } },
    }));
    const credential = tokenCredential(opts.credentials ?? 'ok');
    return {
      gw, relay, port, tunnelState, teamsState,
      check: (over = {}) => runDeliveryCheck({
        configFile: gw.configFile,
        stateDir: gw.stateDir,
        env: {},
        devtunnel: new Devtunnel({ env: envWithStandIns({ FAKE_DEVTUNNEL_STATE: tunnelState, FAKE_DEVTUNNEL_URL: relay.url }) }),
        teams: new TeamsCli({ env: envWithStandIns({ FAKE_TEAMS_STATE: teamsState }) }),
        checkCredentials: (input) => checkCredentials({ ...input, credential }),
        timeoutMs: 5000,
        ...over,
      }),
    };
  }

  /** A personal message as Teams sends it: through the tunnel, with a Bot Framework token. */
  async function messageFromTeams(s: Setup): Promise<void> {
    const res = await fetch(`${s.relay.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await stub.mint()}` },
      body: JSON.stringify(personalMessage(CAROL, 'hello from Teams', connector.serviceUrl)),
    });
    assert.equal(res.headers.get('x-teams-bot-dev-fate'), 'delivered', await res.text());
  }

  const hopOf = (report: DeliveryCheckReport, id: HopId): HopResult => {
    const hop = report.hops.find((h) => h.id === id);
    assert.ok(hop, `no hop ${id}`);
    return hop;
  };
  const statuses = (report: DeliveryCheckReport) => Object.fromEntries(report.hops.map((h) => [h.id, h.status]));

  it('all green: every hop passes, the probe arrives through the tunnel and is never forwarded to the bot', async () => {
    const s = await setup();
    await messageFromTeams(s);
    const seen: string[] = [];
    const report = await s.check({ onHop: (h) => seen.push(h.id) });
    assert.deepEqual(statuses(report), {
      config: 'passed', webhook: 'passed', tunnel: 'passed', probe: 'passed', endpoint: 'passed', credentials: 'passed', bot: 'passed', 'last-activity': 'passed',
    }, JSON.stringify(report.hops, null, 2));
    assert.equal(report.ok, true);
    assert.deepEqual(seen, report.hops.map((h) => h.id), 'progress reports every hop as it is decided');
    const probe = hopOf(report, 'probe');
    assert.match(probe.evidence.join('\n'), new RegExp(`X-Forwarded-Host ${RELAY_PUBLIC_HOST.replace(/\./g, '\\.')}`));
    assert.match(probe.evidence.join('\n'), /recorded .* as probe \(source tunnel\)/);
    assert.match(hopOf(report, 'tunnel').summary, new RegExp(`forwards ${s.relay.url}/ to port ${s.port}`));
    assert.match(hopOf(report, 'last-activity').summary, /message from Carol Tester was delivered/);
    // Two probes (direct and through the tunnel), neither reached the bot; only Teams' message did.
    assert.equal(bot.requests.length, 1);
    assert.equal((bot.requests[0].body as { text: string }).text, 'hello from Teams');
    const probes = s.gw.gateway.activities.list({ probes: true }).filter((r) => r.reason === 'probe');
    assert.deepEqual(probes.map((r) => r.source).sort(), ['loopback', 'tunnel']);
    assert.equal(s.gw.gateway.activities.list().some((r) => r.reason === 'probe'), false, 'probes are hidden from the activity lists unless asked');
  });

  it('webhook not running: the webhook hop fails with Start Webhook, and the probe is skipped', async () => {
    const s = await setup();
    await s.gw.gateway.stop();
    const report = await s.check();
    const webhook = hopOf(report, 'webhook');
    assert.equal(webhook.status, 'failed');
    assert.match(webhook.summary, new RegExp(`Nothing listens on 127\\.0\\.0\\.1:${s.port}`));
    assert.equal(webhook.fix?.command, 'teamsBot.startWebhook');
    assert.equal(webhook.fix?.cli, 'teams-bot-dev serve');
    assert.equal(hopOf(report, 'probe').status, 'skipped');
    assert.match(hopOf(report, 'probe').summary, /webhook is not answering/);
    assert.equal(report.ok, false);
  });

  it('a gateway listening on another port than the config says (serve --port, port 0): its own port and URL, from gateway.lock', async () => {
    const s = await setup();
    // The same state dir, a config whose webhook.port is not where the running gateway listens.
    const elsewhere = await freePort();
    const config = parseJsonc(await fs.readFile(s.gw.configFile, 'utf8')) as { webhook: Record<string, unknown> };
    const configFile = path.join(s.gw.dir, 'other-port.config.json');
    await fs.writeFile(configFile, JSON.stringify({ ...config, webhook: { ...config.webhook, port: elsewhere } }));
    const report = await s.check({ configFile });
    const webhook = hopOf(report, 'webhook');
    assert.equal(webhook.status, 'passed', JSON.stringify(webhook));
    assert.match(webhook.evidence[0], new RegExp(`:${s.port}/api/messages: where the gateway holding .* \\(pid ${process.pid}\\) listens, from its gateway\\.lock \\(the config says port ${elsewhere}\\)`));
    assert.equal(hopOf(report, 'tunnel').status, 'passed', 'the tunnel forwards the port the gateway listens on');
    assert.equal(hopOf(report, 'probe').status, 'passed');

    // Stopped: nothing holds the state dir, so the config's port is the one to check, and it says so.
    await s.gw.gateway.stop();
    const stopped = hopOf(await s.check({ configFile }), 'webhook');
    assert.equal(stopped.status, 'failed');
    assert.match(stopped.evidence[0], new RegExp(`:${elsewhere}/api/messages: the config's \\(no running gateway holds `));

    // A live holder (pid 1 always runs) whose file says nonsense: the config's port again, and no crash.
    await fs.writeFile(path.join(s.gw.stateDir, 'gateway.lock'), JSON.stringify({ pid: 1, hostname: os.hostname(), token: 't', startedAt: '', port: 'x', url: 42 }));
    const garbled = await s.check({ configFile });
    assert.match(hopOf(garbled, 'webhook').evidence[0], new RegExp(`:${elsewhere}/api/messages: the config's`));
  });

  it('an activity log that cannot be read is a finding on its hops, not a check that dies', async () => {
    const s = await setup();
    // A state dir whose activities.jsonl is a directory: reading it fails with EISDIR.
    const stateDir = path.join(s.gw.dir, 'unreadable-state');
    await fs.mkdir(path.join(stateDir, 'activities.jsonl'), { recursive: true });
    const report = await s.check({ stateDir, recordWaitMs: 200 });
    const probe = hopOf(report, 'probe');
    assert.equal(probe.status, 'warning', JSON.stringify(probe));
    assert.match(probe.evidence.join('\n'), /reading the activity log in .*unreadable-state failed: EISDIR/);
    const last = hopOf(report, 'last-activity');
    assert.equal(last.status, 'failed');
    assert.match(last.summary, /activity log in .*unreadable-state cannot be read/);
    assert.equal(report.hops.length, 8);
  });

  it('tunnel not hosted: the tunnel hop fails with Start Tunnel; the probe and the endpoint are skipped', async () => {
    const s = await setup({ tunnel: { hostConnections: 0 } });
    const report = await s.check();
    const tunnel = hopOf(report, 'tunnel');
    assert.equal(tunnel.status, 'failed');
    assert.match(tunnel.summary, /Nobody hosts the tunnel mybot/);
    assert.match(tunnel.evidence.join('\n'), /0 host connection/);
    assert.deepEqual(tunnel.fix && { command: tunnel.fix.command, cli: tunnel.fix.cli }, { command: 'teamsBot.startTunnel', cli: 'devtunnel host mybot' });
    assert.equal(hopOf(report, 'probe').status, 'skipped');
    assert.equal(hopOf(report, 'endpoint').status, 'skipped');
    assert.equal(report.ok, false);
  });

  it('the tunnel this window hosts counts as hosted, with its own URL', async () => {
    const s = await setup({ tunnel: { hostConnections: 0 } });
    const report = await s.check({ hostedTunnel: { id: 'mybot', port: s.port, url: s.relay.url } });
    assert.equal(hopOf(report, 'tunnel').status, 'passed');
    assert.equal(hopOf(report, 'probe').status, 'passed');
  });

  it('tunnel forwards another port: the tunnel hop fails naming both ports', async () => {
    const s = await setup({ tunnel: { ports: [5000] } });
    const report = await s.check();
    const tunnel = hopOf(report, 'tunnel');
    assert.equal(tunnel.status, 'failed');
    assert.match(tunnel.summary, new RegExp(`forwards port 5000, not the webhook's port ${s.port}`));
    assert.equal(tunnel.fix?.cli, `devtunnel port create mybot -p ${s.port}`);
  });

  it('tunnel missing, devtunnel signed out: each is its own failure with its fix', async () => {
    const missing = await (await setup({ tunnel: 'missing' })).check();
    assert.equal(hopOf(missing, 'tunnel').status, 'failed');
    assert.match(hopOf(missing, 'tunnel').summary, /The tunnel mybot does not exist/);
    const s = await setup();
    const signedOut = await s.check({ devtunnel: new Devtunnel({ env: envWithStandIns({ FAKE_DEVTUNNEL_STATE: s.tunnelState, FAKE_DEVTUNNEL_SCENARIO: 'loggedout' }) }) });
    assert.equal(hopOf(signedOut, 'tunnel').status, 'failed');
    assert.equal(hopOf(signedOut, 'tunnel').fix?.command, 'teamsBot.signInDevtunnel');
  });

  it('devtunnel or the Teams CLI not installed: the hop fails saying how to install it', async () => {
    const s = await setup();
    const report = await s.check({
      devtunnel: new Devtunnel({ executable: path.join(s.gw.dir, 'no-devtunnel-here') }),
      teams: new TeamsCli({ executable: path.join(s.gw.dir, 'no-teams-here') }),
      hostedTunnel: { id: 'mybot', port: s.port, url: s.relay.url },
    });
    const tunnel = hopOf(report, 'tunnel');
    assert.equal(tunnel.status, 'failed');
    assert.match(tunnel.summary, /devtunnel is not installed/);
    assert.equal(tunnel.fix?.url, 'https://aka.ms/devtunnels/cli');
    assert.equal(hopOf(report, 'endpoint').status, 'skipped', 'no tunnel URL to compare with');
    const direct = await s.check({ teams: new TeamsCli({ executable: path.join(s.gw.dir, 'no-teams-here') }) });
    const endpoint = hopOf(direct, 'endpoint');
    assert.equal(endpoint.status, 'failed');
    assert.match(endpoint.summary, /The Teams CLI is not installed/);
    assert.equal(endpoint.fix?.cli, 'npm install -g @microsoft/teams.cli');
  });

  it('endpoint mismatch: the endpoint hop fails with Update Teams App Endpoint and the exact teams command', async () => {
    const s = await setup({ endpoint: 'https://mybot-3978.euw.devtunnels.ms/api/messages' });
    const report = await s.check();
    const endpoint = hopOf(report, 'endpoint');
    assert.equal(endpoint.status, 'failed');
    assert.match(endpoint.summary, /sends messages to https:\/\/mybot-3978\.euw\.devtunnels\.ms\/api\/messages, not to this tunnel/);
    assert.equal(endpoint.fix?.command, 'teamsBot.updateEndpoint');
    assert.equal(endpoint.fix?.cli, `teams app update ${TEAMS_APP_ID} --endpoint ${s.relay.url}/api/messages`);
    assert.equal(hopOf(report, 'probe').status, 'passed', 'the tunnel itself works');
  });

  it('Teams CLI signed out: the endpoint hop fails with Sign In to Teams', async () => {
    const s = await setup();
    const report = await s.check({ teams: new TeamsCli({ env: envWithStandIns({ FAKE_TEAMS_STATE: s.teamsState, FAKE_TEAMS_SCENARIO: 'loggedout' }) }) });
    assert.equal(hopOf(report, 'endpoint').status, 'failed');
    assert.equal(hopOf(report, 'endpoint').fix?.command, 'teamsBot.signInTeams');
  });

  it('credentials failing: the credentials hop fails with the Entra code and its explanation', async () => {
    const s = await setup({ credentials: 'bad-secret' });
    const report = await s.check();
    const credentials = hopOf(report, 'credentials');
    assert.equal(credentials.status, 'failed');
    assert.match(`${credentials.summary}\n${credentials.evidence.join('\n')}`, /AADSTS7000215/);
    assert.equal(credentials.fix?.command, 'teamsBot.setAppPassword');
    assert.equal(report.ok, false);
  });

  it('local mode (no appId): the credentials hop fails, since the webhook refuses what comes through a tunnel', async () => {
    const s = await setup({ config: { appId: undefined } });
    const report = await s.check();
    assert.equal(hopOf(report, 'credentials').status, 'failed');
    assert.match(hopOf(report, 'credentials').summary, /not-local/);
    assert.equal(hopOf(report, 'probe').status, 'passed', 'the probe is answered before authentication');
  });

  it('bot down: the bot hop fails with Start Debugging', async () => {
    const dead = await freePort();
    const s = await setup({ config: { bot: { url: `http://127.0.0.1:${dead}/api/messages` } } });
    const report = await s.check();
    const hop = hopOf(report, 'bot');
    assert.equal(hop.status, 'failed');
    assert.match(hop.summary, new RegExp(`Nothing listens at http://127\\.0\\.0\\.1:${dead}/api/messages`));
    assert.equal(hop.fix?.command, 'teamsBot.startDebugging');
  });

  it('the bot the running gateway forwards to, not the config\'s: `serve --bot-url`, and F5\'s bot while it runs', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/api/messages`;
    const s = await setup({ config: { bot: { url: dead } } });
    let hop = hopOf(await s.check(), 'bot');
    assert.equal(hop.status, 'failed', 'the config\'s bot, which nobody runs');
    assert.match(hop.evidence.join('\n'), /gateway\.lock$/m);

    // F5 starts the bot on its own port and points forwarding at it.
    s.gw.gateway.setBotUrl(bot.url);
    await waitFor(async () => (await runningGateway(s.gw.stateDir))?.bot?.url === bot.url, 'gateway.lock to name F5\'s bot');
    hop = hopOf(await s.check(), 'bot');
    assert.equal(hop.status, 'passed', hop.summary);
    assert.match(hop.summary, new RegExp(`The bot at ${escape(bot.url)} accepts connections`));
    assert.match(hop.evidence.join('\n'), new RegExp(`gateway\\.lock \\(the config says ${escape(dead)}\\)`));

    // The session ends: forwarding goes back to the config's bot, and so does the check.
    s.gw.gateway.setBotUrl(undefined);
    await waitFor(async () => (await runningGateway(s.gw.stateDir))?.bot?.url === dead, 'gateway.lock to name the config\'s bot again');
    assert.equal(hopOf(await s.check(), 'bot').status, 'failed');

    // serve --bot-url: the override is what the gateway forwards to from the start.
    await s.gw.gateway.stop();
    const served = await startGateway(parseJsonc(await fs.readFile(s.gw.configFile, 'utf8')) as Record<string, unknown>, { overrides: { botUrl: bot.url } });
    running.push(served);
    hop = hopOf(await s.check({ configFile: served.configFile, stateDir: served.stateDir }), 'bot');
    assert.equal(hop.status, 'passed', hop.summary);
  });

  it('a gateway.lock bot that is no http(s) URL (no gateway writes one) is not believed: the config\'s bot is checked', async () => {
    const s = await setup();
    const lockFile = path.join(s.gw.stateDir, 'gateway.lock');
    for (const url of ['file:///tmp/bot.sock', 'javascript:alert(1)']) {
      await fs.writeFile(lockFile, JSON.stringify({ ...JSON.parse(await fs.readFile(lockFile, 'utf8')), bot: { url } }));
      const hop = hopOf(await s.check(), 'bot');
      assert.equal(hop.status, 'passed', hop.summary);
      assert.match(hop.evidence.join('\n'), /^bot: bot\.url in the config$/m, url);
    }
  });

  it('no activity yet: a warning (not a failure) that says to message the bot and install the app', async () => {
    const s = await setup();
    await s.gw.post(personalMessage(CAROL, 'local only', connector.serviceUrl)).catch(() => undefined);
    const report = await s.check();
    const last = hopOf(report, 'last-activity');
    assert.equal(last.status, 'warning');
    assert.match(last.summary, /Nothing has arrived from Teams yet/);
    assert.equal(last.fix?.command, 'teamsBot.openInstallLink');
    assert.equal(report.ok, true, 'every other hop passed');
  });

  it('the last activity from Teams was rejected: a failure naming its reason', async () => {
    const s = await setup();
    await fetch(`${s.relay.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await stub.mint({ aud: 'some-other-bot' })}` },
      body: JSON.stringify(personalMessage(CAROL, 'hi', connector.serviceUrl)),
    });
    const report = await s.check();
    const last = hopOf(report, 'last-activity');
    assert.equal(last.status, 'failed');
    assert.match(last.summary, /was rejected .*audience is not this bot's appId/);
    assert.match(last.evidence[0], /rejected \(auth-wrong-audience\), HTTP 401/);
  });

  it('an invalid config fails the first hop and skips the rest', async () => {
    const s = await setup();
    await fs.writeFile(s.gw.configFile, '{ "webhook": { "port": "not a number" } }');
    const report = await s.check();
    assert.equal(hopOf(report, 'config').status, 'failed');
    assert.equal(hopOf(report, 'config').fix?.command, 'teamsBot.editConfig');
    assert.deepEqual(report.hops.slice(1).map((h) => h.status), Array(7).fill('skipped'));
  });

  it('the public URL reaches something that is not the webhook: the probe fails with what answered', async () => {
    const s = await setup();
    const elsewhere = await startTunnelRelay(await freePort());
    running.push(elsewhere);
    const report = await s.check({
      devtunnel: new Devtunnel({ env: envWithStandIns({ FAKE_DEVTUNNEL_STATE: s.tunnelState, FAKE_DEVTUNNEL_URL: elsewhere.url }) }),
    });
    const probe = hopOf(report, 'probe');
    assert.equal(probe.status, 'failed');
    assert.match(probe.summary, /answered HTTP 502, but not from the webhook/);
  });
});

/** A string matched literally inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
