import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startBotFrameworkStub, type BotFrameworkStub } from '../../support/botFrameworkStub';
import type { TeamsBotApi } from '../../../src/extension/extension';
import {
  F5, api, calls, callsStartingWith, devtunnelHostPids, dm, folder, listening, occupy, postActivity, resetWorkspace, teamsState, waitFor, withEnv, withSetting,
  SessionWatch,
} from './helpers';

const ALICE = { id: '29:alice', name: 'Alice Wilber', aadObjectId: '' };

/**
 * F5 of a set-up sample workspace: `teams-bot` launch configuration → webhook,
 * stand-in `devtunnel host`, endpoint sync through the stand-in `teams`, and
 * the real echo bot under VS Code's Node debugger (js-debug).
 */
describe('F5 (teams-bot debug type) in a real VS Code', function () {
  let stub: BotFrameworkStub;
  let watch: SessionWatch;

  before(async () => {
    ALICE.aadObjectId = F5.allowedAad;
    // The config has an appId, so the webhook checks Bot Framework tokens: a local stand-in signs them.
    stub = await startBotFrameworkStub({ appId: F5.appId, serviceUrl: F5.simulatorUrl });
    resetWorkspace({ cloudOverrides: stub.cloudOverrides });
    await api();
  });

  beforeEach(() => {
    watch = new SessionWatch();
  });

  afterEach(async () => {
    watch.dispose();
    // Whatever a failed test left behind must not leak into the next one.
    await vscode.debug.stopDebugging();
    const a = await api();
    await a.tunnel.stop();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
  });

  after(async () => {
    await stub?.stop();
  });

  /** Starts the named launch configuration and says whether a session started, and why not. */
  async function f5(name: string): Promise<{ ok: boolean; a: TeamsBotApi }> {
    const a = await api();
    const ok = await vscode.debug.startDebugging(folder(), name);
    return { ok, a };
  }

  async function message(text: string): Promise<{ status: number; json: any; id: string }> {
    const activity = dm(ALICE, text, F5.simulatorUrl);
    const token = await stub.mint();
    const res = await postActivity(F5.webhookUrl, activity, { authorization: `Bearer ${token}` });
    return { ...res, id: String(activity.id) };
  }

  /** After a failed F5: no session, nothing left running that F5 started. */
  async function assertNothingLeft(a: TeamsBotApi): Promise<void> {
    assert.equal(watch.started.length, 0, `a debug session started: ${watch.describe()}`);
    assert.equal(a.ctx.host.state.status, 'stopped', 'F5 started the webhook, so its failure must stop it');
    assert.equal(a.tunnel.state.status, 'stopped');
    await waitFor('no devtunnel host process', () => devtunnelHostPids().length === 0, 10_000);
  }

  it('starts the webhook, hosts the tunnel, fixes the Teams endpoint and runs the echo bot under the debugger; a message is echoed; stopping undoes it all', async function () {
    this.timeout(120_000);
    const a = await api();
    assert.equal(a.ctx.host.state.status, 'stopped');
    const replies: { conversationId: string; text: string }[] = [];
    const off = a.ctx.host.on('simulatorReply', (r) => replies.push({ conversationId: r.conversationId, text: String(r.activity.text) }));
    try {
      const { ok } = await f5('Teams Bot');
      assert.equal(ok, true, `F5 failed: ${JSON.stringify(a.debug.lastFailure)}`);
      assert.equal(a.debug.lastFailure, undefined);
      const session = await waitFor('the F5 debug session', () => watch.f5Session(), 20_000);
      assert.equal(session.configuration.program, `${folder().uri.fsPath}/index.js`);

      // Each step left its mark, in order (the log line and `npm run bench` read them; no step is timed here).
      const t = a.debug.lastTimeline!;
      const marks = [t.resolving, t.webhookReady, t.tunnelHosted, t.endpointChecked, t.handedToDebugger];
      assert.ok(marks.every((m) => typeof m === 'number'), JSON.stringify(t));
      assert.deepEqual([...marks].sort((x, y) => x! - y!), marks, JSON.stringify(t));

      // The webhook, on the config's port, forwarding to the bot.
      assert.equal(a.ctx.host.state.status, 'running');
      assert.equal(a.ctx.host.state.port, F5.webhookPort);
      assert.equal(a.ctx.host.gateway?.config?.bot.url, `http://127.0.0.1:${F5.botPort}/api/messages`);

      // The tunnel, hosted by one stand-in `devtunnel host` process.
      assert.deepEqual(a.tunnel.state, { status: 'running', id: F5.tunnelId, port: F5.webhookPort, url: F5.defaultTunnelUrl });
      const hosts = devtunnelHostPids();
      assert.equal(hosts.length, 1, `devtunnel host processes: ${hosts.join(', ')}`);

      // The registered endpoint pointed at an old tunnel URL, so F5 updated it.
      const endpoint = `${F5.defaultTunnelUrl}/api/messages`;
      assert.deepEqual(callsStartingWith('teams', 'app', 'update'), [['app', 'update', F5.teamsAppId, '--endpoint', endpoint, '--json']]);
      assert.equal(teamsState().apps[F5.teamsAppId].endpoint, endpoint);

      // The bot, started by js-debug with F5's environment, listening on botPort.
      const seen = await waitFor('the bot to record its environment', () => fs.existsSync(F5.botEnvFile) && JSON.parse(fs.readFileSync(F5.botEnvFile, 'utf8')), 30_000);
      assert.equal(seen.PORT, String(F5.botPort));
      assert.equal(seen.CLIENT_ID, F5.appId);
      await waitFor(`the bot listening on ${F5.botPort}`, () => listening(F5.botPort), 30_000);

      // A personal message from an allowlisted sender goes through the webhook to the bot; the echo comes back.
      const res = await message('hello from F5');
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const record = await waitFor('the delivered record', () => a.activityTree.getChildren().find((r) => r.direction === 'inbound' && r.activity?.id === res.id));
      assert.equal(record.fate, 'delivered', record.detail);
      assert.equal(record.reason, 'dm-allowlisted');
      assert.equal(record.auth, 'jwt-valid');
      assert.equal(record.botResponse?.status, 200);
      const reply = await waitFor('the echo reply', () => replies.find((r) => r.text === 'Echo: hello from F5'), 15_000);
      assert.equal(reply.conversationId, `a:${ALICE.id}`);

      // Stopping the session undoes what F5 started: the bot, the tunnel host and the webhook.
      await vscode.debug.stopDebugging();
      await waitFor('every debug session to end', () => watch.allEnded(), 20_000);
      await waitFor('the webhook to stop', () => a.ctx.host.state.status === 'stopped', 10_000);
      await waitFor('the tunnel to stop', () => a.tunnel.state.status === 'stopped', 10_000);
      await waitFor('the devtunnel host process to exit', () => devtunnelHostPids().length === 0, 10_000);
      await waitFor('the bot port to be free', async () => !(await listening(F5.botPort)), 15_000);
      assert.equal(a.debug.lastFailure, undefined, 'a session that ran for a while is not reported as a crash');
    } finally {
      off();
    }
  });

  it('the client secret reaches the bot through a private env file that is deleted when the session ends, never through the debug configuration', async function () {
    this.timeout(120_000);
    const a = await api();
    // Entra-style (letters, digits, ~ . _ -), plus a # that an unquoted env file value would cut as a comment.
    const secret = `f5Q~secret.${Date.now()}_x-y#z`;
    await a.ctx.secrets.store(F5.appId, secret);
    // The record of an earlier test's bot must not be taken for this one's.
    fs.rmSync(F5.botEnvFile, { force: true });
    try {
      const { ok } = await f5('Teams Bot');
      assert.equal(ok, true, `F5 failed: ${JSON.stringify(a.debug.lastFailure)}`);
      const session = await waitFor('the F5 debug session', () => watch.f5Session(), 20_000);
      const seen = await waitFor('the bot to record its environment', () => fs.existsSync(F5.botEnvFile) && JSON.parse(fs.readFileSync(F5.botEnvFile, 'utf8')), 30_000);
      assert.equal(seen.hasClientSecret, true);
      assert.equal(seen.secretSha256, crypto.createHash('sha256').update(secret).digest('hex'), 'the bot got the secret byte for byte');

      // What any extension can read: no session's configuration carries the secret (js-debug's child sessions included).
      assert.ok(watch.started.length >= 1);
      for (const s of watch.started) assert.ok(!JSON.stringify(s.configuration).includes(secret), `${s.type}:${s.name} carries the secret`);
      assert.equal(session.configuration.env?.CLIENT_SECRET, undefined);
      const envFile = session.configuration.envFile as string;
      assert.ok(envFile && fs.existsSync(envFile), `envFile: ${envFile}`);
      assert.equal(fs.statSync(envFile).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.dirname(envFile)).mode & 0o777, 0o700);
      assert.ok(!envFile.startsWith(folder().uri.fsPath), 'the env file is in the extension\'s private storage, not the workspace');

      await vscode.debug.stopDebugging();
      await waitFor('every debug session to end', () => watch.allEnded(), 20_000);
      await waitFor('the env file to be deleted', () => !fs.existsSync(envFile), 10_000);
    } finally {
      await a.ctx.secrets.delete(F5.appId);
    }
  });

  it('with a client secret, an envFile that does not exist stops the launch naming it (its ${env:…} resolved), nothing is left running', async function () {
    this.timeout(120_000);
    const a = await api();
    await a.ctx.secrets.store(F5.appId, 'f5Q~envfile-secret');
    const restore = withEnv({ TEAMS_BOT_F5_ENV_DIR: path.join(folder().uri.fsPath, 'no-such-dir') });
    try {
      const launch = vscode.workspace.getConfiguration('launch', folder().uri).get<vscode.DebugConfiguration[]>('configurations')!.find((c) => c.name === 'Teams Bot')!;
      const resolved = await a.debug.resolveDebugConfiguration(folder(), { ...launch, tunnel: false, envFile: '${env:TEAMS_BOT_F5_ENV_DIR}/own.env' });
      assert.equal(resolved, undefined);
      const missing = path.join(folder().uri.fsPath, 'no-such-dir', 'own.env');
      assert.equal(a.debug.lastFailure?.step, 'Starting your bot');
      assert.ok(a.debug.lastFailure?.message.includes(`the envFile ${missing} named in launch.json does not exist`), JSON.stringify(a.debug.lastFailure));
      assert.equal(a.ctx.host.state.status, 'stopped', 'the webhook F5 started is stopped again');
    } finally {
      restore();
      await a.ctx.secrets.delete(F5.appId);
    }
  });

  it('with the webhook already running, F5 leaves it running afterwards and forwarding goes back to the config; an unchanged endpoint is not updated again', async function () {
    this.timeout(120_000);
    const a = await api();
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string } | undefined;
    assert.equal(state?.status, 'running');
    assert.equal(a.ctx.host.gateway?.config?.bot.url, undefined);
    const updatesBefore = callsStartingWith('teams', 'app', 'update').length;

    const { ok } = await f5('Teams Bot');
    assert.equal(ok, true, `F5 failed: ${JSON.stringify(a.debug.lastFailure)}`);
    await waitFor('the F5 debug session', () => watch.f5Session(), 20_000);
    assert.equal(a.ctx.host.gateway?.config?.bot.url, `http://127.0.0.1:${F5.botPort}/api/messages`);
    assert.equal(callsStartingWith('teams', 'app', 'update').length, updatesBefore, 'the endpoint was already right');
    await waitFor(`the bot listening on ${F5.botPort}`, () => listening(F5.botPort), 30_000);
    const res = await message('second run');
    assert.equal(res.status, 200, JSON.stringify(res.json));

    await vscode.debug.stopDebugging();
    await waitFor('every debug session to end', () => watch.allEnded(), 20_000);
    await waitFor('forwarding to be reset', () => a.ctx.host.gateway?.config?.bot.url === undefined, 10_000);
    await waitFor('the tunnel to stop', () => a.tunnel.state.status === 'stopped', 10_000);
    await waitFor('the devtunnel host process to exit', () => devtunnelHostPids().length === 0, 10_000);
    assert.equal(a.ctx.host.state.status, 'running', 'F5 did not start the webhook, so it must not stop it');
  });

  it('F5 again the moment a session ends waits for its cleanup: the new session gets a running webhook and a fresh tunnel host', async function () {
    this.timeout(120_000);
    const a = await api();
    assert.equal(a.ctx.host.state.status, 'stopped');
    assert.equal((await f5('Teams Bot')).ok, true, `F5 failed: ${JSON.stringify(a.debug.lastFailure)}`);
    const first = await waitFor('the first F5 session', () => watch.f5Session(), 20_000);
    await waitFor(`the bot listening on ${F5.botPort}`, () => listening(F5.botPort), 30_000);
    const firstHosts = devtunnelHostPids();

    // F5 again from inside the termination event, before the first session's undo has finished. The
    // provider is called directly: through startDebugging the renderer round trip of code-server
    // usually outlasts the undo, while in desktop VS Code it does not.
    const launch = vscode.workspace.getConfiguration('launch', folder().uri).get<vscode.DebugConfiguration[]>('configurations')!.find((c) => c.name === 'Teams Bot')!;
    const again = new Promise<boolean>((resolve, reject) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.id !== first.id) return;
        sub.dispose();
        Promise.resolve(a.debug.resolveDebugConfiguration(folder(), { ...launch }))
          .then((resolved) => (resolved ? vscode.debug.startDebugging(folder(), resolved) : false))
          .then(resolve, reject);
      });
    });
    await vscode.debug.stopDebugging(first);
    assert.equal(await again, true, `second F5 failed: ${JSON.stringify(a.debug.lastFailure)}`);
    await waitFor('the second F5 session', () => watch.started.filter((s) => typeof s.configuration.__teamsBotSession === 'string').length === 2, 20_000);
    await waitFor(`the bot listening on ${F5.botPort} again`, () => listening(F5.botPort), 30_000);

    assert.equal(a.ctx.host.state.status, 'running', 'the webhook the second session relies on was stopped by the first one\'s cleanup');
    assert.equal(a.tunnel.state.status, 'running');
    const hosts = devtunnelHostPids();
    assert.equal(hosts.length, 1, `devtunnel host processes: ${hosts.join(', ')}`);
    assert.ok(!firstHosts.includes(hosts[0]), 'the host being stopped was not reused');
    const res = await message('after a quick restart');
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });

  describe('failure paths: no session starts, the message names the step, nothing is left running', () => {
    it('devtunnel is not installed', async () => {
      const undo = await withSetting('devtunnelPath', 'devtunnel-not-installed');
      try {
        const { ok, a } = await f5('Teams Bot');
        assert.equal(ok, false, JSON.stringify({ failure: a.debug.lastFailure, tunnel: a.tunnel.state, calls: calls('devtunnel').slice(-3), setting: vscode.workspace.getConfiguration('teamsBot', folder().uri).inspect('devtunnelPath'), sessions: watch.describe() }));
        assert.equal(a.debug.lastFailure?.step, `Starting tunnel ${F5.tunnelId}`);
        assert.match(a.debug.lastFailure!.message, /devtunnel is not installed or not on PATH: .*teamsBot\.devtunnelPath/);
        await assertNothingLeft(a);
      } finally {
        await undo();
      }
    });

    it('the Teams CLI is not installed (the tunnel it had started is stopped again)', async () => {
      const undo = await withSetting('teamsCliPath', 'teams-not-installed');
      try {
        const { ok, a } = await f5('Teams Bot');
        assert.equal(ok, false);
        assert.equal(a.debug.lastFailure?.step, 'Updating the Teams app endpoint');
        assert.match(a.debug.lastFailure!.message, /The Teams CLI \(teams\) is not installed: .*teamsBot\.teamsCliPath/);
        assert.ok(callsStartingWith('devtunnel', 'host').length >= 1, 'the tunnel was started before the endpoint step');
        await assertNothingLeft(a);
      } finally {
        await undo();
      }
    });

    it('not logged in to Dev Tunnels', async () => {
      const undo = withEnv({ FAKE_DEVTUNNEL_SCENARIO: 'loggedout' });
      try {
        const { ok, a } = await f5('Teams Bot');
        assert.equal(ok, false);
        assert.equal(a.debug.lastFailure?.step, `Starting tunnel ${F5.tunnelId}`);
        assert.match(a.debug.lastFailure!.message, /not logged in to Dev Tunnels: run `devtunnel user login`/);
        await assertNothingLeft(a);
      } finally {
        undo();
      }
    });

    it('not logged in to the Teams CLI', async () => {
      const undo = withEnv({ FAKE_TEAMS_SCENARIO: 'loggedout' });
      try {
        const { ok, a } = await f5('Teams Bot');
        assert.equal(ok, false);
        assert.equal(a.debug.lastFailure?.step, 'Updating the Teams app endpoint');
        assert.match(a.debug.lastFailure!.message, /Not logged in\. Run `teams login` first\./);
        await assertNothingLeft(a);
      } finally {
        undo();
      }
    });

    it('the tunnel service is rate-limiting', async () => {
      const undo = withEnv({ FAKE_DEVTUNNEL_SCENARIO: 'ratelimit' });
      try {
        const { ok, a } = await f5('Teams Bot');
        assert.equal(ok, false);
        assert.equal(a.debug.lastFailure?.step, `Starting tunnel ${F5.tunnelId}`);
        assert.match(a.debug.lastFailure!.message, /rate-limiting this account \(429\)/);
        await assertNothingLeft(a);
      } finally {
        undo();
      }
    });

    it('the bot port is busy', async () => {
      const holder = await occupy(F5.botPort);
      const hostsBefore = callsStartingWith('devtunnel', 'host').length;
      try {
        const { ok, a } = await f5('Teams Bot');
        assert.equal(ok, false);
        assert.equal(a.debug.lastFailure?.step, 'Checking the bot port');
        assert.match(a.debug.lastFailure!.message, new RegExp(`port ${F5.botPort} is already in use`));
        assert.equal(callsStartingWith('devtunnel', 'host').length, hostsBefore, 'nothing after the port check ran');
        await assertNothingLeft(a);
      } finally {
        await holder.close();
      }
    });

    it('the webhook port is busy', async () => {
      const holder = await occupy(F5.webhookPort);
      try {
        const { ok, a } = await f5('Teams Bot');
        assert.equal(ok, false);
        assert.equal(a.debug.lastFailure?.step, 'Starting the webhook');
        assert.match(a.debug.lastFailure!.message, new RegExp(`Port ${F5.webhookPort} on 127\\.0\\.0\\.1 is already in use`));
        await assertNothingLeft(a);
      } finally {
        await holder.close();
      }
    });

    it('the bot crashes on start: the session ends, the failure is reported, and what F5 started is stopped', async function () {
      this.timeout(60_000);
      const { ok, a } = await f5('Teams Bot (crashes on start)');
      assert.equal(ok, true, 'the session itself starts; the bot dies in it');
      await waitFor('the crash to be reported', () => a.debug.lastFailure, 30_000);
      assert.equal(a.debug.lastFailure?.step, 'Running your bot');
      assert.match(a.debug.lastFailure!.message, /^your bot exited \d+\.\d s after it started$/);
      await waitFor('every debug session to end', () => watch.started.length > 0 && watch.allEnded(), 20_000);
      await waitFor('the webhook to stop', () => a.ctx.host.state.status === 'stopped', 10_000);
      await waitFor('the devtunnel host process to exit', () => devtunnelHostPids().length === 0, 10_000);
      assert.equal(a.tunnel.state.status, 'stopped');
    });
  });
});
