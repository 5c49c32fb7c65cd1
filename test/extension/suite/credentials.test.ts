import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CredentialCheckResult } from '../../../src/core/credentials/credentialCheck';
import { freePort } from '../../../src/core/process/freePort';
import type { Toast } from '../../../src/extension/toasts';
import { api, waitFor, workspaceDir } from './helpers';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const STORED = 'Stored~Secret.Value_4321';

/**
 * Teams Bot: Check Bot Credentials in a real VS Code host. A successful token
 * needs Entra over https with a test CA, which only a fresh process trusts
 * (NODE_EXTRA_CA_CERTS): the core and CLI tests cover it; here the command's
 * own part: the password from Secret Storage, the result, the toast and its
 * buttons.
 */
describe('Check Bot Credentials command', function () {
  this.timeout(60_000);
  let configFile: string;
  let closedPort: number;

  const toastsFrom = (a: Awaited<ReturnType<typeof api>>, answer?: (t: Toast) => string | undefined) => {
    const list: Toast[] = [];
    const sub = a.ctx.toasts.onShow((t) => list.push(t));
    a.ctx.toasts.answer = answer;
    return { list, done: () => { sub.dispose(); a.ctx.toasts.answer = undefined; } };
  };
  const run = async () => (await vscode.commands.executeCommand(CHECK)) as CredentialCheckResult;
  const CHECK = 'teamsBot.checkCredentials';

  before(async () => {
    await api();
    configFile = path.join(workspaceDir(), 'teams-bot.config.json');
    closedPort = await freePort();
    assert.equal(process.env.MSTEAMS_APP_PASSWORD, undefined, 'the host must not have MSTEAMS_APP_PASSWORD: Secret Storage is what is tested');
  });
  after(async () => {
    const a = await api();
    await a.ctx.secrets.delete(APP_ID);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(configFile, { force: true });
  });

  it('is in the palette as "Teams Bot: Check Bot Credentials"', async () => {
    const ext = vscode.extensions.getExtension('teams-bot-dev.teams-bot-dev')!;
    const contributed = (ext.packageJSON.contributes.commands as { command: string; title: string; category: string }[]).find((c) => c.command === CHECK);
    assert.deepEqual(contributed && [contributed.category, contributed.title], ['Teams Bot', 'Check Bot Credentials']);
    assert.ok((await vscode.commands.getCommands(true)).includes(CHECK));
  });

  it('no appId: skipped, said in an info toast', async () => {
    fs.writeFileSync(configFile, '{ "dmPolicy": "open" }\n');
    const a = await api();
    const toasts = toastsFrom(a);
    try {
      const result = await run();
      assert.ok('skipped' in result, JSON.stringify(result));
      const toast = await waitFor('the skipped toast', () => toasts.list.find((t) => t.message.startsWith('Credential Check skipped: ')));
      assert.equal(toast.kind, 'info');
    } finally {
      toasts.done();
    }
  });

  it('uses the app password in Secret Storage, and an unreachable Entra ID is an error naming the host, never the password', async () => {
    fs.writeFileSync(configFile, JSON.stringify({ appId: APP_ID, tenantId: 'contoso.onmicrosoft.com', cloudOverrides: { loginEndpoint: `https://127.0.0.1:${closedPort}` } }));
    const a = await api();
    await a.ctx.secrets.store(APP_ID, STORED);
    const toasts = toastsFrom(a);
    try {
      const result = await run();
      assert.ok('ok' in result && result.ok === false, JSON.stringify(result));
      assert.match(result.detail, /^Could not reach Entra ID at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. \(app password \(client secret\) from the secret store of app 11111111-/);
      const toast = await waitFor('the error toast', () => toasts.list.find((t) => t.kind === 'error' && t.message.startsWith('Bot credentials failed: ')));
      assert.match(toast.message, /Fix: Check that this machine can reach https:\/\/127\.0\.0\.1:\d+/);
      assert.deepEqual(toast.actions, ['Open Config']);
      assert.ok(!JSON.stringify(toasts.list).includes(STORED) && !JSON.stringify(result).includes(STORED));
    } finally {
      toasts.done();
      await a.ctx.secrets.delete(APP_ID);
    }
  });

  it('no password anywhere: the error offers Set App Password… and Open Config; Open Config selects the appId', async () => {
    fs.writeFileSync(configFile, `{\n  "appId": "${APP_ID}",\n  "dmPolicy": "open"\n}\n`);
    const a = await api();
    const toasts = toastsFrom(a, (t) => (t.actions.includes('Open Config') ? 'Open Config' : undefined));
    try {
      const result = await run();
      assert.ok('ok' in result && result.ok === false, JSON.stringify(result));
      assert.deepEqual(result.fixIn, { kind: 'app-password' });
      const toast = await waitFor('the error toast', () => toasts.list.find((t) => t.kind === 'error'));
      assert.deepEqual(toast.actions, ['Set App Password…', 'Open Config']);
      assert.match(toast.message, /^Bot credentials failed: An appId is configured but no way to prove it/);
      const editor = await waitFor('the config editor with the appId selected', () => {
        const e = vscode.window.activeTextEditor;
        return e && e.document.uri.fsPath === configFile && e.document.getText(e.selection) === `"${APP_ID}"` ? e : undefined;
      });
      assert.ok(editor);
    } finally {
      toasts.done();
    }
  });
});
