import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import MarkdownIt from 'markdown-it';
import type { ActivityRecord } from '../../../src/core/activity/activityRecord';
import type { ConversationReferenceEntry } from '../../../src/core/conversations/conversationStore';
import type { PairingRequest } from '../../../src/core/pairing/pairingRequest';
import type { ApprovedSenderView } from '../../../src/core/pairing/pairingActions';
import { api, EXTENSION_ID } from './helpers';

type MenuEntry = { command: string; when?: string; group?: string };
type Manifest = { contributes: { commands: { command: string; icon?: string }[]; menus: Record<string, MenuEntry[]> } };

/** Commands that act on the running webhook's gateway: offered only while it runs. */
const NEEDS_WEBHOOK = ['teamsBot.stopWebhook', 'teamsBot.restartWebhook', 'teamsBot.simulateMessage', 'teamsBot.repeatLastSimulation', 'teamsBot.replayActivity', 'teamsBot.sendMessageAsBot'];

/**
 * The sidebar's rules as the manifest and the views carry them: what shows
 * when, and tooltips that render ids as text whatever a request put in them.
 */
describe('Sidebar manifest and tooltips', () => {
  const manifest = () => vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
  const entries = () => Object.entries(manifest().contributes.menus).flatMap(([menu, items]) => items.map((item) => ({ menu, ...item })));

  it('commands that need the running webhook are offered (menus and palette) only while it runs', () => {
    const shownWhenStopped = entries().filter((e) => NEEDS_WEBHOOK.includes(e.command) && e.when !== 'false' && !/(?<!!)\bteamsBot\.webhookRunning\b/.test(e.when ?? ''));
    assert.deepEqual(shownWhenStopped, []);
    // Each of them is somewhere to be found at all.
    for (const command of NEEDS_WEBHOOK) assert.ok(entries().some((e) => e.command === command), command);
  });

  it('every command shown in a view (title bar or row) has a codicon', () => {
    const icons = new Map(manifest().contributes.commands.map((c) => [c.command, c.icon]));
    const bare = entries().filter((e) => e.menu.startsWith('view/') && !/^\$\([a-z0-9-]+\)$/.test(icons.get(e.command) ?? ''));
    assert.deepEqual(bare, []);
  });

  // A backtick in an id ends a plain `…` span: the rest would render as Markdown (a link; an image the hover fetches).
  const HOSTILE = '19:x`[click](https://evil.example/) ![](https://evil.example/px.png) `y';
  const render = (md: vscode.MarkdownString) => new MarkdownIt({ html: false }).render(md.value);
  const codeTexts = (html: string) => [...html.matchAll(/<code>([^<]*)<\/code>/g)].map((m) => m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').trim());

  it('a Conversations row\'s tooltip shows ids with backticks as text, with no link or image', async () => {
    const tree = (await api()).conversations;
    const conversation: ConversationReferenceEntry = {
      id: HOSTILE, kind: 'groupChat', name: 'Hostile', serviceUrl: 'https://smba.trafficmanager.net/teams/', tenantId: 't`![](https://evil.example/t.png)',
      bot: { id: '28:bot' }, user: { id: `29:u\`\`${'[a](https://evil.example/u)'}`, name: 'Mallory' }, lastActivityAt: new Date().toISOString(), lastRecordId: 'r1',
    };
    const html = render(tree.getTreeItem({ conversation }).tooltip as vscode.MarkdownString);
    assert.doesNotMatch(html, /<a |<img /, html);
    const codes = codeTexts(html);
    for (const id of [conversation.id, conversation.tenantId!, conversation.user!.id]) assert.ok(codes.includes(id), `${id} in ${JSON.stringify(codes)}`);
  });

  it('an Activities row\'s tooltip shows the sender and conversation ids with backticks as text, with no link or image', async () => {
    const tree = (await api()).activityTree;
    const record: ActivityRecord = {
      id: 'tooltip-1', time: new Date().toISOString(), direction: 'inbound', source: 'simulated', status: 200, latencyMs: 1, auth: 'simulated', fate: 'delivered', reason: 'group-open',
      summary: { type: 'message', senderId: '29:s`[a](https://evil.example/s)`', senderName: 'Mallory', aadObjectId: 'a`![](https://evil.example/a.png)', conversationId: HOSTILE, conversationKind: 'groupChat' },
    };
    const html = render(tree.getTreeItem(record).tooltip as vscode.MarkdownString);
    assert.doesNotMatch(html, /<a |<img /, html);
    const codes = codeTexts(html);
    for (const id of [record.summary.senderId!, record.summary.aadObjectId!, HOSTILE]) assert.ok(codes.includes(id), `${id} in ${JSON.stringify(codes)}`);
  });

  it('Pairing Requests and Approved Senders tooltips show a sender\'s ids with backticks as text, with no link or image', async () => {
    const a = await api();
    const now = new Date().toISOString();
    const request: PairingRequest = { id: '29:p`[a](https://evil.example/p)`', code: 'ABCDEFGH', createdAt: now, lastSeenAt: now, meta: { name: 'Mallory', aadObjectId: 'o`![](https://evil.example/o.png)', count: 1 } };
    const sender = { entry: '29:e`[a](https://evil.example/e)', id: '29:i`![](https://evil.example/i.png)', aadObjectId: 'x`[a](https://evil.example/x)`', source: 'pairing' } as ApprovedSenderView;
    for (const [tooltip, ids] of [
      [a.pairingTree.getTreeItem(request).tooltip, [request.id, request.meta.aadObjectId!]],
      [a.approvedSenders.getTreeItem(sender).tooltip, [sender.entry, sender.id!, sender.aadObjectId!]],
    ] as const) {
      const html = render(tooltip as vscode.MarkdownString);
      assert.doesNotMatch(html, /<a |<img /, html);
      const codes = codeTexts(html);
      for (const id of ids) assert.ok(codes.includes(id), `${id} in ${JSON.stringify(codes)}`);
    }
  });
});
