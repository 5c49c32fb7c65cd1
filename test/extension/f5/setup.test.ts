import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { F5, api, calls, callsStartingWith, configFile, devtunnelHostPids, folder, resetWorkspace, teamsState, waitFor, withEnv } from './helpers';

/** The setup commands from the command palette, against the stand-in `devtunnel` and `teams`. */
describe('Set Up Bot, Update Teams App Endpoint and Run Teams App Doctor in a real VS Code', function () {
  this.timeout(60_000);

  beforeEach(() => {
    resetWorkspace();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('teamsBot.stopTunnel');
    await waitFor('no devtunnel host process', () => devtunnelHostPids().length === 0, 10_000);
  });

  it('Set Up Bot on a set-up folder brings a stale endpoint up to date once, then changes nothing', async () => {
    const a = await api();
    const launchFile = path.join(folder().uri.fsPath, '.vscode', 'launch.json');
    const configBefore = fs.readFileSync(configFile());
    const launchBefore = fs.readFileSync(launchFile);

    // First run: everything exists, only the endpoint still points at an old tunnel URL.
    assert.equal(await vscode.commands.executeCommand('teamsBot.setupBot'), true);
    const endpoint = `${F5.defaultTunnelUrl}/api/messages`;
    assert.deepEqual(callsStartingWith('teams', 'app', 'update'), [['app', 'update', F5.teamsAppId, '--endpoint', endpoint, '--json']]);
    assert.equal(a.tunnel.url, F5.defaultTunnelUrl);
    assert.ok(fs.readFileSync(configFile()).equals(configBefore), 'the config already had every id');

    // Second run: nothing to do.
    const teamsSeen = calls('teams').length;
    const tunnelSeen = calls('devtunnel').length;
    const stateBefore = JSON.stringify(teamsState());
    assert.equal(await vscode.commands.executeCommand('teamsBot.setupBot'), true);
    const teamsNow = calls('teams').slice(teamsSeen);
    assert.deepEqual(teamsNow.filter((argv) => argv[0] === 'app' && (argv[1] === 'create' || argv[1] === 'update')), [], JSON.stringify(teamsNow));
    assert.ok(teamsNow.some((argv) => argv[0] === 'app' && argv[1] === 'get'), 'the endpoint was checked');
    const tunnelNow = calls('devtunnel').slice(tunnelSeen);
    assert.deepEqual(tunnelNow.filter((argv) => argv[0] === 'create' || (argv[0] === 'port' && argv[1] === 'create')), [], JSON.stringify(tunnelNow));
    assert.ok(fs.readFileSync(configFile()).equals(configBefore), 'teams-bot.config.json is byte-identical');
    assert.ok(fs.readFileSync(launchFile).equals(launchBefore), 'launch.json is byte-identical');
    assert.equal(JSON.stringify(teamsState()), stateBefore);
    assert.equal(devtunnelHostPids().length, 1, 'the running tunnel host was reused, not started twice');
  });

  it('Update Teams App Endpoint follows a tunnel URL that changed between runs, and does nothing when it did not', async () => {
    const a = await api();
    const first = `https://${F5.tunnelId}-first.euw.devtunnels.ms`;
    const second = `https://${F5.tunnelId}-second.usw2.devtunnels.ms`;
    const undo = withEnv({ FAKE_DEVTUNNEL_URL: first });
    try {
      // No tunnel running: the command hosts it, then points the app at it.
      assert.equal(await vscode.commands.executeCommand('teamsBot.updateEndpoint'), true);
      assert.equal(a.tunnel.url, first);
      assert.equal(teamsState().apps[F5.teamsAppId].endpoint, `${first}/api/messages`);
      await vscode.commands.executeCommand('teamsBot.stopTunnel');
      await waitFor('the first tunnel host to exit', () => devtunnelHostPids().length === 0, 10_000);

      // The next run gets another URL (an ephemeral tunnel, another cluster): the endpoint follows.
      process.env.FAKE_DEVTUNNEL_URL = second;
      assert.equal(await vscode.commands.executeCommand('teamsBot.updateEndpoint'), true);
      assert.equal(a.tunnel.url, second);
      assert.deepEqual(callsStartingWith('teams', 'app', 'update'), [
        ['app', 'update', F5.teamsAppId, '--endpoint', `${first}/api/messages`, '--json'],
        ['app', 'update', F5.teamsAppId, '--endpoint', `${second}/api/messages`, '--json'],
      ]);
      const app = teamsState().apps[F5.teamsAppId];
      assert.equal(app.endpoint, `${second}/api/messages`);
      assert.ok(app.validDomains.includes(new URL(second).hostname));

      // Same URL again: checked, not updated.
      assert.equal(await vscode.commands.executeCommand('teamsBot.updateEndpoint'), false);
      assert.equal(callsStartingWith('teams', 'app', 'update').length, 2);
    } finally {
      undo();
    }
  });

  it('starting the tunnel while it is being stopped waits for the stop and hosts it anew', async () => {
    const a = await api();
    const url = await a.tunnel.start(F5.tunnelId, F5.webhookPort);
    const [old] = devtunnelHostPids();
    const stopping = a.tunnel.stop();
    assert.equal(await a.tunnel.start(F5.tunnelId, F5.webhookPort), url);
    await stopping;
    assert.equal(a.tunnel.state.status, 'running', 'the restarted tunnel reads as running');
    const hosts = devtunnelHostPids();
    assert.equal(hosts.length, 1, `devtunnel host processes: ${hosts.join(', ')}`);
    assert.notEqual(hosts[0], old, 'a new host, not the one being stopped');
    assert.equal(callsStartingWith('devtunnel', 'host').length, 2);
  });

  it('Run Teams App Doctor renders failures first, then warnings, notes and passes', async () => {
    const undo = withEnv({ FAKE_TEAMS_SCENARIO: 'doctor-failing' });
    try {
      const report = (await vscode.commands.executeCommand('teamsBot.runDoctor')) as { checks: { status: string; label: string }[] } | undefined;
      assert.ok(report, 'the doctor ran');
      assert.deepEqual(callsStartingWith('teams', 'app', 'doctor'), [['app', 'doctor', F5.teamsAppId, '--json']]);
      // The stand-in lists a passing check first; the rendering must not.
      assert.equal(report.checks[0].status, 'pass');

      const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'teams-bot-doctor', path: '/doctor-check.md', query: String(Date.now()) }));
      const text = doc.getText();
      assert.match(text, /^# Teams app doctor: f5-sample\n/);
      assert.match(text, /\*\*1 failed\*\*, 1 warnings, \d+ passed, 2 notes/);
      const rows = text.split('\n').filter((l) => /^\| (❌|⚠️|ℹ️|✅) \|/.test(l));
      assert.equal(rows.length, report.checks.length);
      assert.match(rows[0], /^\| ❌ \| 1 expired secret \| AAD App \|/);
      const rank = { '❌': 0, '⚠️': 1, 'ℹ️': 2, '✅': 3 } as Record<string, number>;
      const ranks = rows.map((r) => rank[r.split(' | ')[0].slice(2)]);
      assert.deepEqual(ranks, [...ranks].sort((x, y) => x - y), rows.join('\n'));
      assert.ok(rows.some((r) => r.startsWith('| ⚠️ | Endpoint unreachable |')));
    } finally {
      undo();
    }
  });
});
