import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ActivityRecord } from '../../../src/core/activity/activityRecord';
import { api, dm, postActivity, waitFor, workspaceDir } from './helpers';

// The bundle runs from out/test/extension/: the repository is three levels up.
const REPO = path.resolve(__dirname, '..', '..', '..');
const CARD_BOT = path.join(REPO, 'test', 'fixtures', 'conversations', 'bots', 'cardBot.js');
const ERIN = { id: '29:explorer-erin', name: 'Erin Lind', aadObjectId: 'aaaaaaaa-6666-4666-8666-0000000e1e1' };

interface Summary { passed: number; failed: number; items: { id: string; label: string; state: string; message?: string }[] }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A real @microsoft/teams.apps bot (the card bot fixture) in a child process. */
async function startCardBot(env: Record<string, string> = {}): Promise<{ child: cp.ChildProcess; url: string }> {
  const port = await freePort();
  const child = cp.spawn(process.execPath, [CARD_BOT], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(`the card bot to listen (${out})`, () => out.includes('listening on'), 30_000);
  return { child, url: `http://127.0.0.1:${port}/api/messages` };
}

describe('Conversation tests: Save as Conversation Test… and the Test Explorer', function () {
  this.timeout(120_000);
  let cards: { child: cp.ChildProcess; url: string };
  let howdy: { child: cp.ChildProcess; url: string };
  let configFile: string;
  let testFile: string;

  before(async () => {
    [cards, howdy] = await Promise.all([startCardBot(), startCardBot({ GREETING: 'Howdy' })]);
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    configFile = path.join(workspaceDir(), 'teams-bot.config.json');
    fs.writeFileSync(configFile, `{\n  // testExplorer.test.ts\n  "webhook": { "port": 0 },\n  "dmPolicy": "open",\n  "allowFrom": ["*"],\n  "bot": { "url": "${cards.url}" }\n}\n`);
    testFile = path.join(workspaceDir(), 'test', 'conversations', 'erin.conversation.json');
  });

  after(async () => {
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    cards?.child.kill();
    howdy?.child.kill();
    fs.rmSync(configFile, { force: true });
    fs.rmSync(path.join(workspaceDir(), 'test'), { recursive: true, force: true });
  });

  it('with no test files, Run Conversation Tests says where it looked instead of doing nothing', async () => {
    const a = await api();
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'test', 'conversations')), false);
    const before = a.ctx.toasts.shown.length;
    const run = (await vscode.commands.executeCommand('teamsBot.runConversationTests', { botUrl: cards.url, settleMs: 100 })) as Summary;
    assert.deepEqual(run, { passed: 0, failed: 0, items: [] });
    const said = a.ctx.toasts.shown.slice(before).map((t) => t.message);
    assert.ok(said.some((m) => m.startsWith('No conversation tests under test/conversations/')), JSON.stringify(said));
  });

  it('Save as Conversation Test… writes what reached the bot in the picked row\'s conversation', async () => {
    const a = await api();
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string; url: string };
    assert.equal(state?.status, 'running');
    const simulator = `${new URL(state.url).origin}/_simulator`;
    const message = dm(ERIN, 'card', simulator);
    assert.equal((await postActivity(state.url, message)).status, 200);
    const invoke = { ...dm(ERIN, '', simulator), type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: 'confirm', data: { item: 'coffee' } } } };
    const answer = await postActivity(state.url, invoke);
    assert.equal(answer.json.value, 'Order for coffee confirmed');

    const row = await waitFor('the card message in the Activities view', () => a.activityTree.getChildren().find((r: ActivityRecord) => r.direction === 'inbound' && r.summary.text === 'card'));
    const saved = (await vscode.commands.executeCommand('teamsBot.saveConversationTest', row, { target: vscode.Uri.file(testFile) })) as { steps: number; message: string };
    assert.equal(saved.steps, 2);
    assert.match(saved.message, /^Saved 2 steps to test\/conversations\/erin\.conversation\.json\. Run it with Record Replies/);
    const test = JSON.parse(fs.readFileSync(testFile, 'utf8'));
    assert.deepEqual(test.steps.map((s: { inbound: { type: string }; replies?: unknown }) => [s.inbound.type, s.replies]), [['message', undefined], ['invoke', undefined]]);
  });

  it('the Test Explorer has the file with one item per step; Record Replies records the bot\'s replies, then Run passes', async () => {
    const recorded = (await vscode.commands.executeCommand('teamsBot.runConversationTests', { botUrl: cards.url, update: true, settleMs: 100 })) as Summary;
    const fileId = vscode.Uri.file(testFile).toString();
    assert.deepEqual(recorded.items.map((i) => [i.id, i.label, i.state]), [
      [`${fileId}#step-1`, 'step 1: message "card"', 'passed'],
      [`${fileId}#step-2`, 'step 2: invoke adaptiveCard/action', 'passed'],
      [fileId, 'test/conversations/erin.conversation.json', 'passed'],
    ]);
    const test = JSON.parse(fs.readFileSync(testFile, 'utf8'));
    assert.equal(test.steps[0].replies[0].text, 'Hello, here is your order:<at>Erin Lind</at>');
    assert.equal(test.steps[1].invokeResponse.body.value, 'Order for coffee confirmed');

    const run = (await vscode.commands.executeCommand('teamsBot.runConversationTests', { botUrl: cards.url, settleMs: 100 })) as Summary;
    assert.deepEqual([run.passed, run.failed], [2, 0]);
  });

  it('a bot that changed its reply fails the step, with the diff in the test message', async () => {
    const run = (await vscode.commands.executeCommand('teamsBot.runConversationTests', { botUrl: howdy.url, settleMs: 100 })) as Summary;
    assert.deepEqual([run.passed, run.failed], [1, 1]);
    const [step1, step2, file] = run.items;
    assert.equal(step1.state, 'failed');
    assert.equal(step1.message, [
      'step 1: message "card"',
      '    reply 1: text',
      '      - "Hello, here is your order:<at>Erin Lind</at>"',
      '      + "Howdy, here is your order:<at>Erin Lind</at>"',
    ].join('\n'));
    assert.equal(step2.state, 'passed');
    assert.deepEqual([file.state, file.message], ['failed', '1 of 2 steps failed']);
  });
});
