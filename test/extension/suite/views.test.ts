import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ActivityRecord } from '../../../src/core/activity/activityRecord';
import { api, dm, postActivity, waitFor, workspaceDir, EXTENSION_ID } from './helpers';

// Senders of their own, so this file does not depend on what extension.test.ts left in the log.
const CAROL = { id: '29:views-carol', name: 'Carol Ruiz', aadObjectId: 'aaaaaaaa-4444-4444-8444-0000000ca201' };
const DAVE = { id: '29:views-dave', name: 'Dave Okafor', aadObjectId: 'aaaaaaaa-5555-4555-8555-00000000da5e' };

interface ExportResult { target: vscode.Uri; count: number; message: string }

function groupChatPost(from: typeof CAROL, text: string, serviceUrl: string): Record<string, unknown> {
  return {
    type: 'message', id: `g-${Math.random().toString(36).slice(2)}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl,
    from, recipient: { id: '28:bot', name: 'Bot' }, text: `<at>Bot</at> ${text}`,
    conversation: { id: '19:views-group@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: 't' },
    entities: [{ type: 'mention', mentioned: { id: '28:bot', name: 'Bot' }, text: '<at>Bot</at>' }],
  };
}

function channelPost(from: typeof CAROL, text: string, serviceUrl: string): Record<string, unknown> {
  return {
    type: 'message', id: `c-${Math.random().toString(36).slice(2)}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl,
    from, recipient: { id: '28:bot', name: 'Bot' }, text,
    conversation: { id: '19:views-general@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: 't' },
    channelData: { team: { id: '19:views-team@thread.tacv2' }, channel: { id: '19:views-general@thread.tacv2' }, tenant: { id: 't' } },
    entities: [{ type: 'mention', mentioned: { id: '28:bot', name: 'Bot' }, text: '<at>Bot</at>' }],
  };
}

describe('Sidebar views: what a new user sees', function () {
  let url: string;
  let simulator: string;
  let configFile: string;

  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    configFile = path.join(workspaceDir(), 'teams-bot.config.json');
    fs.writeFileSync(configFile, '{\n  // views.test.ts\n  "webhook": { "port": 0 },\n  "dmPolicy": "pairing",\n  "bot": { "echo": true }\n}\n');
    await a.ctx.stores()!.ready;
    await a.ctx.stores()!.activities.clear();
    await a.activityTree.clearFilters();
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string; url: string };
    assert.equal(state?.status, 'running', 'webhook did not start');
    url = state.url;
    simulator = `${new URL(url).origin}/_simulator`;
  });

  after(async () => {
    const a = await api();
    await a.activityTree.clearFilters();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
  });

  it('an Activities row starts with the fate and reason; the message text follows in the description and the tooltip', async () => {
    const a = await api();
    await postActivity(url, dm(CAROL, 'Hello bot, a fairly long first message to fill the row', simulator));
    const record = await waitFor('Carol\'s dropped row', () => a.activityTree.getChildren().find((r) => r.summary.senderId === CAROL.id && r.direction === 'inbound'));
    const item = a.activityTree.getTreeItem(record);
    assert.match(String(item.label), /^dropped · dm-pairing-pending \([A-Z2-9]{8}\)$/);
    assert.match(String(item.description), /^message · Carol Ruiz · Hello bot, a fairly long first message to fill the row · /);
    assert.ok(tooltipText(item).includes('> Hello bot, a fairly long first message to fill the row'), tooltipText(item));
    // What the gateway sent back (the pairing code) names whom it went to, not the bot it came from.
    const reply = await waitFor('the pairing code sent to Carol', () => a.activityTree.getChildren().find((r) => r.direction === 'outbound' && r.summary.conversationId === record.summary.conversationId));
    assert.match(String(a.activityTree.getTreeItem(reply).description), /^→ message to Carol Ruiz · /);
  });

  it('a channel row shows a mention as @Bot, not <at>Bot</at>', async () => {
    const a = await api();
    await postActivity(url, channelPost(CAROL, '<at>Bot</at> hi channel', simulator));
    const record = await waitFor('the channel row', () => a.activityTree.getChildren().find((r) => r.summary.conversationKind === 'channel' && r.direction === 'inbound'));
    const item = a.activityTree.getTreeItem(record);
    assert.match(String(item.description), / · @Bot hi channel · /);
    assert.ok(!String(item.description).includes('<at>'));
    assert.ok(tooltipText(item).includes('> @Bot hi channel'), tooltipText(item));
    assert.ok(!/<at>|&lt;at&gt;|\\<at\\>/.test(tooltipText(item)), tooltipText(item));
    // The record itself keeps the text as it arrived.
    assert.equal(record.activity?.text, '<at>Bot</at> hi channel');
  });

  it('opening three activities reuses one preview tab in one editor group, titled by type, sender and time', async () => {
    const a = await api();
    await postActivity(url, dm(CAROL, 'second', simulator));
    await postActivity(url, dm(DAVE, 'third', simulator));
    const records = await waitFor('three inbound rows', () => {
      const inbound = a.activityTree.getChildren().filter((r) => r.direction === 'inbound');
      return inbound.length >= 3 ? inbound.slice(0, 3) : undefined;
    });
    await vscode.commands.executeCommand('workbench.action.closeAllGroups');
    assert.equal(vscode.window.tabGroups.all.length, 1);
    for (const record of records) await vscode.commands.executeCommand('teamsBot.showActivity', record);
    const activityTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'teams-bot-activity');
    assert.equal(vscode.window.tabGroups.all.length, 1, `editor groups: ${vscode.window.tabGroups.all.map((g) => g.tabs.map((t) => t.label).join(', ')).join(' | ')}`);
    assert.deepEqual(activityTabs.map((t) => t.isPreview), [true]);
    const last = records[records.length - 1];
    assert.match(activityTabs[0].label, new RegExp(`^message · ${last.summary.senderName} · \\d{2}:\\d{2}:\\d{2}$`));
    const doc = vscode.window.activeTextEditor!.document;
    assert.equal(doc.languageId, 'json');
    assert.equal(JSON.parse(doc.getText()).activity.id, last.activity?.id);
  });

  it('every active filter shows in the view description, Show Activities on a pairing row included, and Clear Filters shows everyone again', async () => {
    const a = await api();
    const view = a.activityTree.view;
    assert.equal(view.description, undefined);
    const request = await waitFor('Dave\'s pairing request', () => a.pairingTree.getChildren().find((r) => r.id === DAVE.id));
    await vscode.commands.executeCommand('teamsBot.showSenderActivities', request);
    assert.equal(view.description, 'Filtered: from Dave Okafor');
    assert.ok(a.activityTree.getChildren().every((r) => r.summary.senderId === DAVE.id));
    // A new message from someone else is recorded but hidden, and the description says why.
    await postActivity(url, dm(CAROL, 'while filtered', simulator));
    await waitFor('Carol\'s message in the log', () => a.ctx.stores()!.activities.list().some((r) => r.summary.text === 'while filtered'));
    assert.ok(!a.activityTree.getChildren().some((r) => r.summary.text === 'while filtered'));

    await vscode.commands.executeCommand('teamsBot.showOnlyUndelivered');
    assert.equal(view.description, 'Filtered: not delivered · from Dave Okafor');
    await vscode.commands.executeCommand('teamsBot.showAllActivities');
    assert.equal(view.description, 'Filtered: from Dave Okafor');

    await vscode.commands.executeCommand('teamsBot.showOnlyUndelivered');
    await vscode.commands.executeCommand('teamsBot.clearActivityFilters');
    assert.equal(view.description, undefined);
    assert.ok(a.activityTree.getChildren().some((r) => r.summary.text === 'while filtered'));
  });

  it('Export names its scope: the title bar exports what the view shows, a row its conversation, the palette everything; "1 activity"', async () => {
    const a = await api();
    const dir = fs.mkdtempSync(path.join(workspaceDir(), 'export-'));
    const target = (name: string) => vscode.Uri.file(path.join(dir, name));
    const lines = (uri: vscode.Uri) => (JSON.parse(fs.readFileSync(uri.fsPath, 'utf8')) as unknown[]).length;
    try {
      const all = a.ctx.stores()!.activities.list({ limit: 100_000 });
      const everything = (await vscode.commands.executeCommand('teamsBot.exportTranscript', { target: target('all.transcript') })) as ExportResult;
      assert.equal(everything.count, all.length);
      assert.match(everything.message, new RegExp(`^Exported ${all.length} activities \\(all recorded activities\\) to `));

      const request = await waitFor('Dave\'s pairing request', () => a.pairingTree.getChildren().find((r) => r.id === DAVE.id));
      await vscode.commands.executeCommand('teamsBot.showSenderActivities', request);
      const shown = a.activityTree.getChildren();
      const filtered = (await vscode.commands.executeCommand('teamsBot.exportShownActivities', { target: target('shown.transcript') })) as ExportResult;
      assert.equal(filtered.count, shown.length);
      assert.equal(lines(filtered.target), shown.length);
      assert.match(filtered.message, /\(the activities shown: from Dave Okafor\)/);
      await a.activityTree.clearFilters();

      // The channel holds exactly one activity (a channel post is never answered with a pairing code): the singular.
      const post = all.find((r) => r.summary.conversationKind === 'channel') as ActivityRecord;
      const inChannel = all.filter((r) => r.summary.conversationId === post.summary.conversationId);
      assert.equal(inChannel.length, 1, `the channel has ${inChannel.length} activities`);
      const conversation = (await vscode.commands.executeCommand('teamsBot.exportConversation', post, { target: target('channel.transcript') })) as ExportResult;
      assert.equal(conversation.count, 1);
      assert.equal(lines(conversation.target), 1);
      assert.match(conversation.message, /^Exported 1 activity \(the channel 19:views-general@thread\.tacv2\) to /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('welcome views: exactly one per state of each view, and no Start Webhook button while the webhook runs', () => {
    type Welcome = { view: string; contents: string; when?: string };
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { viewsWelcome: Welcome[] } };
    const shown = (view: string, keys: Record<string, unknown>) => manifest.contributes.viewsWelcome.filter((w) => w.view === view && (!w.when || evaluateWhen(w.when, keys)));
    for (const folder of [true, false]) {
      for (const hasConfig of [true, false]) {
        for (const running of [true, false]) {
          if (!folder && (running || hasConfig)) continue; // no webhook and no config without a folder
          const keys = { workbenchState: folder ? 'folder' : 'empty', 'teamsBot.hasConfig': hasConfig, 'teamsBot.webhookRunning': running };
          const pairing = shown('teamsBot.pairing', keys);
          const state = JSON.stringify(keys);
          assert.equal(pairing.length, 1, `Pairing Requests with ${state} shows ${pairing.length} welcome texts: ${pairing.map((w) => w.contents.slice(0, 40)).join(' | ')}`);
          if (running) assert.ok(!pairing[0].contents.includes('command:teamsBot.startWebhook'), `a Start Webhook button while running (${state})`);
          for (const filtered of [true, false]) {
            const activities = shown('teamsBot.activities', { ...keys, 'teamsBot.activitiesFiltered': filtered });
            assert.equal(activities.length, 1, `Activities with ${state}, filtered=${filtered} shows ${activities.length} welcome texts`);
            if (running) assert.ok(!activities[0].contents.includes('command:teamsBot.startWebhook'));
            if (filtered) assert.ok(activities[0].contents.includes('command:teamsBot.clearActivityFilters'));
          }
        }
      }
    }
  });
});

describe('Approved Senders view', function () {
  let url: string;
  let simulator: string;
  let configFile: string;

  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    configFile = path.join(workspaceDir(), 'teams-bot.config.json');
    fs.writeFileSync(configFile, '{\n  // views.test.ts: Approved Senders\n  "webhook": { "port": 0 },\n  "dmPolicy": "pairing",\n  "bot": { "echo": true }\n}\n');
    await a.ctx.stores()!.ready;
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string; url: string };
    assert.equal(state?.status, 'running', 'webhook did not start');
    url = state.url;
    simulator = `${new URL(url).origin}/_simulator`;
  });

  after(async () => {
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
  });

  /** The view's rows as (label, where) pairs, read through the view's own provider. */
  async function rows(): Promise<{ label: string; description: string; context: string; entry: string }[]> {
    const a = await api();
    const senders = await a.approvedSenders.getChildren();
    return senders.map((s) => {
      const item = a.approvedSenders.getTreeItem(s);
      return { label: String(item.label), description: String(item.description), context: String(item.contextValue), entry: s.entry };
    });
  }

  /** The fate and reason the webhook recorded for the inbound message with this text. */
  async function outcome(text: string): Promise<string> {
    const a = await api();
    const record = await waitFor(`the record of "${text}"`, () => a.ctx.stores()!.activities.list().find((r) => r.direction === 'inbound' && r.activity?.text !== undefined && String(r.activity.text).endsWith(text)));
    return `${record.fate} · ${record.reason}`;
  }

  async function pendingRequest(who: typeof CAROL) {
    const a = await api();
    await postActivity(url, dm(who, `hello from ${who.name}`, simulator));
    return waitFor(`${who.name}'s pairing request`, () => a.pairingTree.getChildren().find((r) => r.id === who.id));
  }

  it('an approved DM sender shows as a pairing approval (personal chats only: a group chat still drops them); Revoke removes them', async () => {
    const a = await api();
    const request = await pendingRequest(DAVE);
    await vscode.commands.executeCommand('teamsBot.approvePairing', request);
    const row = await waitFor('Dave in Approved Senders', async () => (await rows()).find((r) => r.label === DAVE.name));
    assert.match(row.description, /^pairing approval · personal chats/);
    assert.equal(row.context, 'approvedSender:pairing');
    assert.equal(row.entry, DAVE.aadObjectId);
    assert.ok(!fs.readFileSync(configFile, 'utf8').includes(DAVE.aadObjectId), 'a DM approval must not touch the config');

    await postActivity(url, dm(DAVE, 'approved now?', simulator));
    assert.equal(await outcome('approved now?'), 'delivered · echo');
    await postActivity(url, groupChatPost(DAVE, 'Dave in the group', simulator));
    assert.match(await outcome('Dave in the group'), /^dropped · /);

    const removed = (await vscode.commands.executeCommand('teamsBot.revokeApproval', (await a.approvedSenders.getChildren()).find((s) => s.entry === DAVE.aadObjectId))) as { entry: string } | undefined;
    assert.equal(removed?.entry, DAVE.aadObjectId);
    assert.ok(!(await rows()).some((r) => r.label === DAVE.name), JSON.stringify(await rows()));
    await postActivity(url, dm(DAVE, 'after the revoke', simulator));
    assert.equal(await outcome('after the revoke'), 'dropped · dm-pairing-pending');
  });

  it('Promote to Config moves a pairing approval into allowFrom (comments kept): the row says config, and group chats admit the sender', async () => {
    const a = await api();
    const request = await pendingRequest(CAROL);
    await vscode.commands.executeCommand('teamsBot.approvePairing', request);
    const approved = await waitFor('Carol as a pairing approval', async () => (await a.approvedSenders.getChildren()).find((s) => s.entry === CAROL.aadObjectId && s.source === 'pairing'));
    await postActivity(url, groupChatPost(CAROL, 'Carol before promoting', simulator));
    assert.match(await outcome('Carol before promoting'), /^dropped · /);

    await vscode.commands.executeCommand('teamsBot.promoteApproval', approved);
    const text = fs.readFileSync(configFile, 'utf8');
    assert.ok(text.includes(CAROL.aadObjectId));
    assert.match(text, /\/\/ views\.test\.ts: Approved Senders/);
    const row = await waitFor('Carol as a config entry', async () => (await rows()).find((r) => r.entry === CAROL.aadObjectId && r.context === 'approvedSender:config'));
    assert.match(row.description, /^config allowFrom/);
    assert.equal((await rows()).filter((r) => r.entry === CAROL.aadObjectId).length, 1, 'listed once');
    await postActivity(url, groupChatPost(CAROL, 'Carol after promoting', simulator));
    assert.equal(await outcome('Carol after promoting'), 'delivered · echo');
  });

  it('Edit Config on a config row opens the file with that allowFrom entry selected', async () => {
    const a = await api();
    const row = (await a.approvedSenders.getChildren()).find((s) => s.entry === CAROL.aadObjectId && s.source === 'config');
    assert.ok(row, 'the previous test promoted Carol');
    const selection = await vscode.commands.executeCommand<vscode.Selection | undefined>('teamsBot.editConfig', row);
    assert.ok(selection, 'nothing was revealed');
    assert.equal(vscode.window.activeTextEditor?.document.getText(selection), JSON.stringify(CAROL.aadObjectId));
  });

  it('Approve Sender on a personal-chat row with no pending request approves for personal chats only (the allow store, not the config)', async () => {
    const a = await api();
    const EVE = { id: '29:views-eve', name: 'Eve Varga', aadObjectId: 'aaaaaaaa-7777-4777-8777-0000000e0e01' };
    const request = await pendingRequest(EVE);
    await vscode.commands.executeCommand('teamsBot.rejectPairing', request);
    await waitFor('Eve\'s request to go', () => !a.ctx.stores()!.pairing.getBySender(EVE.id));
    const record = a.ctx.stores()!.activities.list().find((r) => r.direction === 'inbound' && r.summary.senderId === EVE.id && r.summary.conversationKind === 'personal');
    assert.ok(record, 'Eve\'s DM was recorded');
    const before = a.ctx.toasts.shown.length;
    assert.equal(await vscode.commands.executeCommand('teamsBot.approveSender', record), true);
    assert.ok(!fs.readFileSync(configFile, 'utf8').includes(EVE.aadObjectId), 'the config\'s allowFrom would also open group chats');
    const row = await waitFor('Eve in Approved Senders', async () => (await rows()).find((r) => r.entry === EVE.aadObjectId));
    assert.equal(row.context, 'approvedSender:pairing');
    assert.ok(a.ctx.toasts.shown.slice(before).some((t) => /^Approved Eve Varga for personal chats only/.test(t.message)), JSON.stringify(a.ctx.toasts.shown.slice(before)));
    await postActivity(url, dm(EVE, 'Eve approved?', simulator));
    assert.equal(await outcome('Eve approved?'), 'delivered · echo');
    await postActivity(url, groupChatPost(EVE, 'Eve in the group', simulator));
    assert.match(await outcome('Eve in the group'), /^dropped · /);
  });
});

/** The tooltip's markdown with appendText's non-breaking spaces read as spaces. */
function tooltipText(item: vscode.TreeItem): string {
  return (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
}

/** The part of VS Code's when-clause language the manifest's viewsWelcome uses: ||, &&, !, ==, != and bare keys. */
function evaluateWhen(expression: string, keys: Record<string, unknown>): boolean {
  return expression.split('||').some((alternative) =>
    alternative.split('&&').every((raw) => {
      const term = raw.trim();
      const compare = /^([\w.]+)\s*(==|!=)\s*(\S+)$/.exec(term);
      if (compare) return (String(keys[compare[1]]) === compare[3]) === (compare[2] === '==');
      if (!/^!?[\w.]+$/.test(term)) throw new Error(`the test's when-clause reader does not know "${term}"`);
      return term.startsWith('!') ? !keys[term.slice(1)] : Boolean(keys[term]);
    }),
  );
}
