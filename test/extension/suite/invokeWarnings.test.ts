import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { api, dm, postActivity, waitFor, workspaceDir } from './helpers';

const FRAN = { id: '29:warn-fran', name: 'Fran Invoke', aadObjectId: 'aaaaaaaa-6666-4666-8666-00000000f4a9' };

/**
 * Invoke contract warnings in the Activities view, in a real VS Code host: a
 * bot (a plain HTTP server here, standing in for the developer's bot) answers
 * one task/fetch with the SDK's InvokeResponse envelope as the body (the
 * wrong shape) and another right; only the first row carries the warning.
 */
describe('Activities view: invoke contract warnings', function () {
  let url: string;
  let bot: http.Server;

  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    bot = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { value?: { data?: { wrong?: boolean } } };
        const task = { task: { type: 'message', value: 'hello' } };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(activity.value?.data?.wrong ? { status: 200, body: task } : task));
      });
    });
    await new Promise<void>((r) => bot.listen(0, '127.0.0.1', r));
    const botUrl = `http://127.0.0.1:${(bot.address() as AddressInfo).port}/api/messages`;
    fs.writeFileSync(path.join(workspaceDir(), 'teams-bot.config.json'), `{\n  // invokeWarnings.test.ts\n  "webhook": { "port": 0 },\n  "dmPolicy": "open",\n  "bot": { "url": "${botUrl}" }\n}\n`);
    await a.ctx.stores()!.ready;
    await a.activityTree.clearFilters();
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string; url: string };
    assert.equal(state?.status, 'running', 'webhook did not start');
    url = state.url;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    await new Promise<void>((r) => { bot.closeAllConnections(); bot.close(() => r()); });
  });

  const taskFetch = (wrong: boolean) => ({ ...dm(FRAN, '', 'https://smba.trafficmanager.net/emea/'), type: 'invoke', name: 'task/fetch', text: undefined, value: { data: { wrong } } });

  it('a wrong invoke answer: warning icon, ⚠ code in the description, the sentence in the tooltip and the activity document; a right one: none', async () => {
    const a = await api();
    const wrong = await postActivity(url, taskFetch(true));
    assert.deepEqual(wrong.json, { status: 200, body: { task: { type: 'message', value: 'hello' } } }, 'relayed as the bot sent it');
    const record = await waitFor('the warned task/fetch row', () => a.activityTree.getChildren().find((r) => r.summary.senderId === FRAN.id && r.warnings?.length));
    const item = a.activityTree.getTreeItem(record);
    assert.ok(item.iconPath instanceof vscode.ThemeIcon, 'a theme icon');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.equal((item.iconPath as vscode.ThemeIcon).color?.id, 'list.warningForeground');
    assert.match(String(item.label), /^delivered · invoke$/);
    assert.match(String(item.description), /^⚠ invoke-body · invoke · Fran Invoke · /);
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
    assert.match(tooltip, /\*\*Warning\*\* `invoke-body`/);
    assert.match(tooltip, /it looks like an InvokeResponse/);
    assert.match(item.accessibilityInformation?.label ?? '', /warning: the bot's answer to the task\/fetch invoke does not have the shape Teams needs/);

    const editor = (await vscode.commands.executeCommand('teamsBot.showActivity', record)) as vscode.TextEditor;
    const doc = JSON.parse(editor.document.getText()) as { warnings?: { code: string; text: string }[] };
    assert.deepEqual(doc.warnings, record.warnings);

    await postActivity(url, taskFetch(false));
    const right = await waitFor('the right task/fetch row', () => a.activityTree.getChildren().find((r) => r.summary.senderId === FRAN.id && r.id !== record.id));
    const rightItem = a.activityTree.getTreeItem(right);
    assert.equal((rightItem.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.doesNotMatch(String(rightItem.description), /⚠/);
    assert.doesNotMatch((rightItem.tooltip as vscode.MarkdownString).value, /Warning/);
  });
});
