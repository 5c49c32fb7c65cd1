import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Toast } from '../../../src/extension/toasts';
import type { DeliveryCheckView } from '../../../src/extension/deliveryCheck/deliveryCheckCommand';
import { api, waitFor, workspaceDir, EXTENSION_ID } from './helpers';

/**
 * Restricted Mode (issue 8 §3 "Untrusted workspaces"), in a folder VS Code
 * really does not trust: test/extension/runInVsCode.ts --restricted opens it with
 * workspace trust on. In the other runs (trust off, every folder trusted)
 * these tests are pending; under the restricted runner a trusted folder fails
 * them instead of skipping.
 */
describe('Restricted Mode (an untrusted folder)', function () {
  let configFile: string;

  before(function () {
    if (process.env.TEAMS_BOT_DEV_EXPECT_UNTRUSTED !== '1') this.skip();
    configFile = path.join(workspaceDir(), 'teams-bot.config.json');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    fs.rmSync(configFile, { force: true });
  });

  it('runs in a folder VS Code does not trust, and the extension is active there (untrustedWorkspaces: limited)', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the runner must open the folder untrusted');
    const a = await api();
    assert.ok(a.ctx);
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { capabilities: { untrustedWorkspaces: { supported: string; description: string; restrictedConfigurations: string[] } } };
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.match(manifest.capabilities.untrustedWorkspaces.description, /cloudOverrides/);
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.sort(), ['teamsBot.autoStart', 'teamsBot.devtunnelPath', 'teamsBot.openclaw.cliPath', 'teamsBot.openclaw.stateDir', 'teamsBot.teamsCliPath']);
  });

  it('Start Webhook refuses a config that redirects trust, names each key, and offers Manage Workspace Trust', async () => {
    const a = await api();
    fs.writeFileSync(configFile, JSON.stringify({
      webhook: { port: 0 },
      cloudOverrides: { openIdMetadataUrl: 'https://keys.example/openid', loginEndpoint: 'https://login.example' },
      serviceUrl: 'https://relay.example/',
    }, null, 2));
    const toasts: Toast[] = [];
    const sub = a.ctx.toasts.onShow((t) => toasts.push(t));
    try {
      assert.equal(await vscode.commands.executeCommand('teamsBot.startWebhook'), undefined);
      assert.equal(a.ctx.host.state.status, 'stopped');
      const toast = await waitFor('the Restricted Mode toast', () => toasts.find((t) => /Restricted Mode/.test(t.message)));
      assert.equal(toast.kind, 'error');
      for (const key of ['cloudOverrides.openIdMetadataUrl', 'cloudOverrides.loginEndpoint', 'serviceUrl']) assert.ok(toast.message.includes(key), `${key} in: ${toast.message}`);
      assert.equal(toast.actions[0], 'Manage Workspace Trust');
    } finally {
      sub.dispose();
    }
  });

  it('F5 refuses it too, at its own step, before starting anything', async () => {
    const a = await api();
    fs.writeFileSync(configFile, JSON.stringify({ webhook: { port: 0 }, cloudOverrides: { openIdMetadataUrl: 'https://keys.example/openid' } }, null, 2));
    const resolved = await a.debug.resolveDebugConfiguration(vscode.workspace.workspaceFolders![0], { type: 'teams-bot', request: 'launch', name: 'Teams Bot', program: '${workspaceFolder}/index.js' });
    assert.equal(resolved, undefined);
    assert.equal(a.debug.lastFailure?.step, 'Checking workspace trust');
    assert.match(a.debug.lastFailure!.message, /cloudOverrides\.openIdMetadataUrl .*Trust the folder/);
    assert.equal(a.ctx.host.state.status, 'stopped');
  });

  /** A stand-in for what the config calls Entra ID: anything that connects counts (the app password would follow in the token request). */
  async function fakeLoginEndpoint(): Promise<{ url: string; connections: () => number; close: () => Promise<unknown> }> {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      connections: () => connections,
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }
  const APP_ID = '11111111-2222-3333-4444-555555555555';
  const writeRedirectingConfig = (loginEndpoint: string) => fs.writeFileSync(configFile, JSON.stringify({ appId: APP_ID, tenantId: 'contoso.onmicrosoft.com', webhook: { port: 0 }, cloudOverrides: { loginEndpoint } }, null, 2));

  it('Check Bot Credentials refuses to send the app password to the loginEndpoint a cloned config names', async () => {
    const a = await api();
    const entra = await fakeLoginEndpoint();
    writeRedirectingConfig(entra.url);
    await a.ctx.secrets.store(APP_ID, 'Stored~Secret.Value_4321');
    const toasts: Toast[] = [];
    const sub = a.ctx.toasts.onShow((t) => toasts.push(t));
    try {
      assert.equal(await vscode.commands.executeCommand('teamsBot.checkCredentials'), undefined);
      const toast = await waitFor('the Restricted Mode toast', () => toasts.find((t) => /^The Credential Check did not start: .*Restricted Mode/.test(t.message)));
      assert.equal(toast.kind, 'error');
      assert.match(toast.message, /cloudOverrides\.loginEndpoint \(receives the client secret/);
      assert.equal(toast.actions[0], 'Manage Workspace Trust');
      assert.equal(entra.connections(), 0, 'something connected to the config\'s loginEndpoint');
    } finally {
      sub.dispose();
      await a.ctx.secrets.delete(APP_ID);
      await entra.close();
    }
  });

  it('the Delivery Check skips its credentials hop with the reason there, and runs the other hops', async function () {
    this.timeout(60_000);
    const a = await api();
    const entra = await fakeLoginEndpoint();
    writeRedirectingConfig(entra.url);
    await a.ctx.secrets.store(APP_ID, 'Stored~Secret.Value_4321');
    try {
      const view = (await vscode.commands.executeCommand('teamsBot.deliveryCheck')) as DeliveryCheckView;
      const hop = view.report.hops.find((h) => h.id === 'credentials');
      assert.equal(hop?.status, 'skipped', JSON.stringify(hop));
      assert.match(hop!.summary, /Restricted Mode.*cloudOverrides\.loginEndpoint/);
      assert.deepEqual(view.report.hops.map((h) => h.id), ['config', 'webhook', 'tunnel', 'probe', 'endpoint', 'credentials', 'bot', 'last-activity']);
      assert.equal(entra.connections(), 0, 'something connected to the config\'s loginEndpoint');
    } finally {
      await a.ctx.secrets.delete(APP_ID);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await entra.close();
    }
  });

  it('a config without such keys starts as usual: Restricted Mode limits, it does not disable', async () => {
    fs.writeFileSync(configFile, JSON.stringify({ webhook: { port: 0 }, dmPolicy: 'pairing' }, null, 2));
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string } | undefined;
    assert.equal(state?.status, 'running');
  });
});
