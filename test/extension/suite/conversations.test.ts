import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, dm, postActivity, waitFor, workspaceDir } from './helpers';
import { startFakeConnector, type FakeConnector } from '../../support/fakeConnector';
import type { ConversationNode } from '../../../src/extension/views/conversationsTree';

// Senders of their own, so this file does not depend on what other suites left behind.
const ERIN = { id: '29:conv-erin', name: 'Erin Lindqvist', aadObjectId: 'aaaaaaaa-6666-4666-8666-0000000e1e11' };
const FRANK = { id: '29:conv-frank', name: 'Frank Osei', aadObjectId: 'aaaaaaaa-7777-4777-8777-00000000f4a1' };

function channelPost(from: typeof ERIN, text: string, serviceUrl: string): Record<string, unknown> {
  return {
    type: 'message', id: `c-${Math.random().toString(36).slice(2)}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl,
    from, recipient: { id: '28:bot', name: 'Bot' }, text: '<at>Bot</at> hello channel',
    conversation: { id: '19:conv-general@thread.tacv2;messageid=1700000000000', conversationType: 'channel', isGroup: true, tenantId: 't' },
    channelData: { team: { id: '19:conv-team@thread.tacv2', name: 'Contoso' }, channel: { id: '19:conv-general@thread.tacv2', name: 'General' }, tenant: { id: 't' } },
    entities: [{ type: 'mention', mentioned: { id: '28:bot', name: 'Bot' }, text: '<at>Bot</at>' }],
  };
}

describe('Conversations view and Send Message as Bot', function () {
  let url: string;
  let connector: FakeConnector;

  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    fs.writeFileSync(path.join(workspaceDir(), 'teams-bot.config.json'), '{\n  // conversations.test.ts\n  "webhook": { "port": 0 },\n  "dmPolicy": "open",\n  "groupPolicy": "open",\n  "bot": { "echo": true }\n}\n');
    connector = await startFakeConnector();
    await a.activityTree.clearFilters();
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string; url: string };
    assert.equal(state?.status, 'running', 'webhook did not start');
    url = state.url;
  });

  after(async () => {
    const a = await api();
    connector.setMode({ kind: 'ok' });
    await a.activityTree.clearFilters();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    await connector.stop();
  });

  async function rows(): Promise<{ group: string; label: string; description: string; contextValue?: string; node: ConversationNode }[]> {
    const tree = (await api()).conversations;
    const out = [];
    for (const group of await tree.getChildren()) {
      const groupLabel = String(tree.getTreeItem(group).label);
      for (const node of await tree.getChildren(group)) {
        const item = tree.getTreeItem(node);
        out.push({ group: groupLabel, label: String(item.label), description: String(item.description), contextValue: item.contextValue, node });
      }
    }
    return out;
  }

  it('shows the conversations messages came from, grouped, with who and how long ago; the file keeps them', async () => {
    await postActivity(url, dm(ERIN, 'hi from Erin', connector.serviceUrl));
    await postActivity(url, channelPost(FRANK, 'hello channel', connector.serviceUrl));
    const shown = await waitFor('Erin and the channel in the view', async () => {
      const r = await rows();
      return r.some((x) => x.label === ERIN.name) && r.some((x) => x.group === 'Channels') ? r : undefined;
    });
    const erin = shown.find((x) => x.label === ERIN.name)!;
    assert.equal(erin.group, 'Personal chats');
    assert.equal(erin.description, 'just now');
    assert.equal(erin.contextValue, 'conversation:personal');
    const channel = shown.find((x) => x.group === 'Channels')!;
    assert.equal(channel.label, 'Contoso › General');
    assert.equal(channel.contextValue, 'conversation:channel');
    const file = path.join(workspaceDir(), '.teams-bot', 'conversations.json');
    await waitFor('conversations.json written', () => fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')).conversations as { id: string }[]).some((c) => c.id === `a:${ERIN.id}`));
  });

  it('Send Message as Bot on a row sends through the webhook, says so, and the Activities view has the outbound record', async () => {
    const a = await api();
    const erin = (await rows()).find((x) => x.label === ERIN.name)!;
    const before = connector.received.length;
    const sent = (await vscode.commands.executeCommand('teamsBot.sendMessageAsBot', erin.node, 'Your build is green')) as { result: { ok: boolean; status: number } };
    assert.equal(sent.result.ok, true);
    const got = connector.received.slice(before).find((r) => (r.body as { text?: string }).text === 'Your build is green');
    assert.ok(got, 'the fake Bot Connector received the message');
    assert.equal(got.conversationId, `a:${ERIN.id}`);
    assert.equal(got.activityId, undefined, 'a new message, not a reply');
    await waitFor('the success toast', () => a.ctx.toasts.shown.find((t) => t.kind === 'info' && t.message === `Sent to ${ERIN.name} as the bot (HTTP 201).`));
    const record = await waitFor('the outbound record', () => a.activityTree.getChildren().find((r) => r.direction === 'outbound' && r.detail === `proactive message sent to a:${ERIN.id}`));
    assert.equal(record.reason, 'sent');
  });

  it('a failed send is an error toast with the explanation, not a bare status', async () => {
    const a = await api();
    const erin = (await rows()).find((x) => x.label === ERIN.name)!;
    connector.setMode({ kind: 'fail', status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } });
    try {
      const sent = (await vscode.commands.executeCommand('teamsBot.sendMessageAsBot', erin.node, 'still there?')) as { result: { ok: boolean } };
      assert.equal(sent.result.ok, false);
    } finally {
      connector.setMode({ kind: 'ok' });
    }
    const toast = await waitFor('the error toast', () => a.ctx.toasts.shown.find((t) => t.kind === 'error' && t.message.startsWith(`Not sent to ${ERIN.name}: The Bot Connector answered HTTP 403`)));
    assert.match(toast.message, /the app was removed from that chat or team/);
    assert.deepEqual(toast.actions, ['Show Activities']);
  });

  it('Copy Conversation Reference puts the Bot Framework ConversationReference on the clipboard', async () => {
    const channel = (await rows()).find((x) => x.group === 'Channels')!;
    await vscode.commands.executeCommand('teamsBot.copyConversationReference', channel.node);
    const reference = JSON.parse(await vscode.env.clipboard.readText());
    assert.deepEqual(reference, {
      bot: { id: '28:bot', name: 'Bot' },
      conversation: { id: '19:conv-general@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: 't' },
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
    });
  });

  it('Show Activities narrows the Activities view to that conversation (a channel with its threads), and says so', async () => {
    const a = await api();
    const channel = (await rows()).find((x) => x.group === 'Channels')!;
    await vscode.commands.executeCommand('teamsBot.showConversationActivities', channel.node);
    assert.equal(a.activityTree.view.description, 'Filtered: in Contoso › General');
    const shown = a.activityTree.getChildren();
    assert.ok(shown.length > 0);
    assert.ok(shown.every((r) => r.summary.conversationId?.startsWith('19:conv-general@thread.tacv2')), JSON.stringify(shown.map((r) => r.summary.conversationId)));
    await vscode.commands.executeCommand('teamsBot.clearActivityFilters');
    assert.equal(a.activityTree.view.description, undefined);
  });

  it('with the webhook stopped the view lists what the file holds (also as another process writes it), and Send says to start the webhook', async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    try {
      const shown = await rows();
      assert.ok(shown.some((x) => x.label === ERIN.name), 'read from conversations.json');
      // As `teams-bot-dev serve` in a terminal would: a new conversation in the file shows up in the view.
      const file = path.join(workspaceDir(), '.teams-bot', 'conversations.json');
      const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: 1; conversations: Record<string, unknown>[] };
      onDisk.conversations.unshift({ id: '19:conv-group@thread.v2', kind: 'groupChat', name: 'Release crew', serviceUrl: connector.serviceUrl, bot: { id: '28:bot' }, lastActivityAt: new Date().toISOString(), lastRecordId: 'zzzzzzzzzz-999' });
      fs.writeFileSync(file, JSON.stringify(onDisk));
      let seen = false;
      const off = a.conversations.onDidChangeTreeData(() => (seen = true));
      try {
        await waitFor('the view to refresh on the file change', () => seen, 10_000);
      } finally {
        off.dispose();
      }
      const group = (await rows()).find((x) => x.group === 'Group chats');
      assert.equal(group?.label, 'Release crew');
      await vscode.commands.executeCommand('teamsBot.sendMessageAsBot', shown.find((x) => x.label === ERIN.name)!.node, 'nobody home');
      await waitFor('the not-running toast', () => a.ctx.toasts.shown.find((t) => t.kind === 'error' && t.message.startsWith('The webhook is not running: start it first')));
    } finally {
      const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string; url: string };
      url = state.url;
    }
  });
});
