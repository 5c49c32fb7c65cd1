import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DeliveryCheckView } from '../../../src/extension/deliveryCheck/deliveryCheckCommand';
import { freePort } from '../../../src/core/process/freePort';
import { startTunnelRelay, type TunnelRelay } from '../../support/tunnelRelay';
import { api, waitFor, workspaceDir } from './helpers';

const REPO = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(REPO, 'test', 'fixtures', 'bin');
const TEAMS_APP_ID = '0e6c1f5a-2b7d-4c3e-9a8f-1d2e3f4a5b6c';
const FAKE_ENV = ['FAKE_DEVTUNNEL_STATE', 'FAKE_DEVTUNNEL_URL', 'FAKE_TEAMS_STATE'] as const;

/**
 * Teams Bot: Run Delivery Check in a real VS Code host: the webhook this
 * window started, the devtunnel and teams stand-ins through the extension's
 * own path settings, a loopback relay as the tunnel's public URL. The Teams
 * app still points at an old tunnel and there is no appId, so two hops fail:
 * the report opens beside the editor with those first, each fix a command link.
 */
describe('Delivery Check command', function () {
  this.timeout(60_000);
  let relay: TunnelRelay;
  let dir: string;

  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    const port = await freePort();
    fs.writeFileSync(path.join(workspaceDir(), 'teams-bot.config.json'), `{\n  // deliveryCheck.test.ts\n  "webhook": { "port": ${port} },\n  "dmPolicy": "open",\n  "bot": { "echo": true },\n  "tunnel": { "id": "mybot" },\n  "teamsAppId": "${TEAMS_APP_ID}"\n}\n`);
    await a.ctx.stores()!.ready;
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string };
    assert.equal(state?.status, 'running', 'webhook did not start');
    relay = await startTunnelRelay(port);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbd-dc-host-'));
    fs.writeFileSync(path.join(dir, 'devtunnel.json'), JSON.stringify({ loggedIn: true, tunnels: { mybot: { anonymous: true, ports: [{ portNumber: port, protocol: 'auto' }], hostConnections: 1 } } }));
    fs.writeFileSync(path.join(dir, 'teams.json'), JSON.stringify({ loggedIn: true, apps: { [TEAMS_APP_ID]: { name: 'mybot', botId: 'b', endpoint: 'https://old-tunnel-3978.euw.devtunnels.ms/api/messages', version: '1.0.0' } } }));
    // The drivers run with this host's environment: that is how the stand-ins learn their state.
    process.env.FAKE_DEVTUNNEL_STATE = path.join(dir, 'devtunnel.json');
    process.env.FAKE_DEVTUNNEL_URL = relay.url;
    process.env.FAKE_TEAMS_STATE = path.join(dir, 'teams.json');
    const section = vscode.workspace.getConfiguration('teamsBot');
    await section.update('devtunnelPath', path.join(BIN, 'devtunnel'), vscode.ConfigurationTarget.Workspace);
    await section.update('teamsCliPath', path.join(BIN, 'teams'), vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    const section = vscode.workspace.getConfiguration('teamsBot');
    await section.update('devtunnelPath', undefined, vscode.ConfigurationTarget.Workspace);
    await section.update('teamsCliPath', undefined, vscode.ConfigurationTarget.Workspace);
    for (const name of FAKE_ENV) delete process.env[name];
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    await relay?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports every hop, failures first with command links, in a webview beside the editor', async () => {
    const view = (await vscode.commands.executeCommand('teamsBot.deliveryCheck')) as DeliveryCheckView;
    assert.ok(view, 'the command resolved with the report');
    assert.deepEqual(Object.fromEntries(view.report.hops.map((h) => [h.id, h.status])), {
      config: 'passed', webhook: 'passed', tunnel: 'passed', probe: 'passed', endpoint: 'failed', credentials: 'failed', bot: 'passed', 'last-activity': 'warning',
    }, JSON.stringify(view.report.hops, null, 2));
    const order = [...view.html.matchAll(/data-hop="([a-z-]+)" data-status="([a-z]+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    assert.deepEqual(order.slice(0, 3), ['endpoint:failed', 'credentials:failed', 'last-activity:warning']);
    // Screen readers read each mark as its status (an aria-label on a bare span is ignored: it needs a role).
    assert.match(view.html, /<span class="mark" role="img" aria-label="failed">✗<\/span><strong>Teams app endpoint/);
    assert.match(view.html, /<a class="fix" href="command:teamsBot\.updateEndpoint">Update Teams App Endpoint<\/a>/);
    assert.match(view.html, /<a class="fix" href="command:teamsBot\.setupBot">Set Up Bot<\/a>/);
    assert.match(view.html, /In a terminal: <code>teams app update 0e6c1f5a-2b7d-4c3e-9a8f-1d2e3f4a5b6c --endpoint http:\/\/127\.0\.0\.1:\d+\/api\/messages<\/code>/);
    assert.match(view.html, /Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(view.html, /<script/);
    // The panel: no script, no local files, and every command the page links to is one it may run.
    assert.equal(view.options.enableScripts, false);
    assert.deepEqual(view.options.localResourceRoots, []);
    const linked = [...new Set([...view.html.matchAll(/href="command:([\w.]+)/g)].map((m) => m[1]))];
    assert.ok(linked.includes('teamsBot.deliveryCheck') && linked.length > 2, JSON.stringify(linked));
    const enabled = view.options.enableCommandUris as readonly string[];
    assert.deepEqual(linked.filter((c) => !enabled.includes(c)), []);
    assert.ok(enabled.every((c) => c.startsWith('teamsBot.')), JSON.stringify(enabled));
    const tab = await waitFor('the Delivery Check tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('teamsBot.deliveryCheck')));
    assert.equal(tab.label, 'Delivery Check');
    // The probes it sent are not user activities: the Activities view does not show them.
    const a = await api();
    assert.equal(a.activityTree.getChildren().some((r) => r.reason === 'probe'), false);

    // Unless asked for, from the view's menu: Show Delivery Check Probes, then Hide again (Clear Filters hides them too).
    const menu = (vscode.extensions.getExtension('teams-bot-dev.teams-bot-dev')!.packageJSON.contributes.menus['view/title'] as { command: string; when: string }[]);
    assert.ok(menu.some((m) => m.command === 'teamsBot.showProbes' && m.when.includes('!teamsBot.showingProbes')));
    assert.ok(menu.some((m) => m.command === 'teamsBot.hideProbes' && /(^|&& )teamsBot\.showingProbes/.test(m.when)));
    try {
      await vscode.commands.executeCommand('teamsBot.showProbes');
      assert.ok(a.activityTree.getChildren().some((r) => r.reason === 'probe'), 'the probes are shown');
      assert.equal(a.activityTree.view.description, 'probes shown');
      await vscode.commands.executeCommand('teamsBot.showOnlyUndelivered');
      assert.equal(a.activityTree.view.description, 'Filtered: not delivered · probes shown');
      await vscode.commands.executeCommand('teamsBot.clearActivityFilters');
      assert.equal(a.activityTree.getChildren().some((r) => r.reason === 'probe'), false, 'Clear Filters hides them again');
      await vscode.commands.executeCommand('teamsBot.showProbes');
      await vscode.commands.executeCommand('teamsBot.hideProbes');
      assert.equal(a.activityTree.getChildren().some((r) => r.reason === 'probe'), false);
      assert.equal(a.activityTree.view.description, undefined);
    } finally {
      await a.activityTree.clearFilters();
    }
  });

  it('the status bar offers Run Delivery Check when the webhook could not start', async () => {
    const a = await api();
    const bar = a.statusBar as unknown as { state: { status: string; error?: string }; render(): void; item: vscode.StatusBarItem };
    const before = bar.state;
    try {
      bar.state = { status: 'stopped', error: 'Port 3978 is already in use by another process' };
      bar.render();
      const tooltip = bar.item.tooltip as vscode.MarkdownString;
      // The command's own icon, as on the Activities title bar (not Run Teams App Doctor's $(checklist)).
      const icon = (vscode.extensions.getExtension('teams-bot-dev.teams-bot-dev')!.packageJSON.contributes.commands as { command: string; icon?: string }[]).find((c) => c.command === 'teamsBot.deliveryCheck')?.icon;
      assert.equal(icon, '$(pulse)');
      assert.ok(tooltip.value.includes(`[${icon} Run Delivery Check](command:teamsBot.deliveryCheck `), tooltip.value);
      assert.deepEqual(tooltip.isTrusted, { enabledCommands: ['teamsBot.deliveryCheck'] });
    } finally {
      bar.state = before;
      bar.render();
    }
  });

  it('is on the Activities view title bar and in the palette', () => {
    const manifest = vscode.extensions.getExtension('teams-bot-dev.teams-bot-dev')!.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]>; commands: { command: string; category: string; icon?: string }[] } };
    assert.ok(manifest.contributes.menus['view/title'].some((m) => m.command === 'teamsBot.deliveryCheck' && m.when === 'view == teamsBot.activities'));
    const command = manifest.contributes.commands.find((c) => c.command === 'teamsBot.deliveryCheck');
    assert.equal(command?.category, 'Teams Bot');
    assert.ok(command?.icon);
  });
});
