import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Toast } from '../../../src/extension/toasts';
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

  it('a config without such keys starts as usual: Restricted Mode limits, it does not disable', async () => {
    fs.writeFileSync(configFile, JSON.stringify({ webhook: { port: 0 }, dmPolicy: 'pairing' }, null, 2));
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string } | undefined;
    assert.equal(state?.status, 'running');
  });
});
