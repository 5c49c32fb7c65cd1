import * as vscode from 'vscode';
import { readConversations, conversationLabel, CONVERSATIONS_FILE, type ConversationReferenceEntry } from '../../core/conversations/conversationStore';
import type { ConversationKind } from '../../core/activity/activity';
import { ago } from '../../core/timeAgo';
import type { Ctx } from '../ctx';
import { escapeMarkdown, inlineCode } from './markdown';

/** A row: one of the three groups, or a conversation in it. */
export type ConversationNode = { group: ConversationKind; count: number } | { conversation: ConversationReferenceEntry };

const GROUPS: { kind: ConversationKind; label: string; icon: string }[] = [
  { kind: 'personal', label: 'Personal chats', icon: 'account' },
  { kind: 'groupChat', label: 'Group chats', icon: 'organization' },
  { kind: 'channel', label: 'Channels', icon: 'comment-discussion' },
];

/**
 * The conversations the gateway has seen (core/conversations), grouped as
 * Teams shows them: who, and how long ago they last wrote. While the webhook
 * runs the list is the gateway's, refreshed by its conversationsChanged
 * events; stopped, it is the state dir's conversations.json, read afresh.
 */
export class ConversationsTreeProvider implements vscode.TreeDataProvider<ConversationNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ConversationNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<ConversationNode>;
  private offGateway?: () => void;
  private readonly offs: (() => void)[] = [];
  private watcher?: { stateDir: string; disposable: vscode.Disposable };

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView('teamsBot.conversations', { treeDataProvider: this });
    this.offs.push(ctx.host.on('state', () => {
      this.offGateway?.();
      this.offGateway = ctx.host.gateway?.on('conversationsChanged', () => this.refresh());
      this.refresh();
    }));
    // A gateway in another process (`teams-bot-dev serve`) writes the file; the state dir setting can move it.
    ctx.onStores(() => this.watchFile());
  }

  private watchFile(): void {
    const stateDir = this.ctx.stateDir;
    if (this.watcher?.stateDir === stateDir) return;
    this.watcher?.disposable.dispose();
    this.watcher = undefined;
    if (stateDir) {
      const fsWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(stateDir), CONVERSATIONS_FILE));
      const changed = () => {
        if (!this.ctx.host.gateway) this.refresh();
      };
      this.watcher = { stateDir, disposable: vscode.Disposable.from(fsWatcher, fsWatcher.onDidCreate(changed), fsWatcher.onDidChange(changed), fsWatcher.onDidDelete(changed)) };
    }
    this.refresh();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Most recently active first: the running gateway's list, else the file's (nothing when it cannot be read). */
  async list(): Promise<ConversationReferenceEntry[]> {
    const gateway = this.ctx.host.gateway;
    if (gateway) return gateway.conversations();
    const stateDir = this.ctx.stateDir;
    if (!stateDir) return [];
    try {
      return await readConversations(stateDir);
    } catch (err) {
      this.ctx.logger.warn(`[conversations] ${(err as Error).message}`);
      return [];
    }
  }

  async getChildren(element?: ConversationNode): Promise<ConversationNode[]> {
    const list = await this.list();
    if (!element) {
      this.view.description = list.length ? `${list.length}` : undefined;
      // No groups at all when empty, so the welcome text shows.
      return GROUPS.map((g) => ({ group: g.kind, count: list.filter((c) => c.kind === g.kind).length })).filter((g) => g.count > 0);
    }
    if ('group' in element) return list.filter((c) => c.kind === element.group).map((conversation) => ({ conversation }));
    return [];
  }

  getTreeItem(node: ConversationNode): vscode.TreeItem {
    if ('group' in node) {
      const look = GROUPS.find((g) => g.kind === node.group)!;
      const item = new vscode.TreeItem(look.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `conversations:${node.group}`;
      item.description = String(node.count);
      item.iconPath = new vscode.ThemeIcon(look.icon);
      item.contextValue = 'conversationGroup';
      return item;
    }
    const c = node.conversation;
    const item = new vscode.TreeItem(conversationLabel(c), vscode.TreeItemCollapsibleState.None);
    item.id = `conversation:${c.id}`;
    item.description = `${ago(c.lastActivityAt)}${c.simulated ? ' · simulated' : ''}`;
    item.iconPath = new vscode.ThemeIcon(c.simulated ? 'beaker' : c.kind === 'personal' ? 'person' : c.kind === 'channel' ? 'symbol-number' : 'comment');
    item.contextValue = `conversation:${c.kind}`;
    item.tooltip = tooltip(c);
    item.accessibilityInformation = { label: `${conversationLabel(c)}, ${c.kind === 'groupChat' ? 'group chat' : c.kind}, last activity ${ago(c.lastActivityAt)}` };
    return item;
  }

  dispose(): void {
    this.offGateway?.();
    this.watcher?.disposable.dispose();
    for (const off of this.offs) off();
    this.view.dispose();
    this.changed.dispose();
  }
}

function tooltip(c: ConversationReferenceEntry): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMarkdown(conversationLabel(c))}**${c.simulated ? ' (simulated: messages go to the Activities view)' : ''}\n\n`);
  md.appendMarkdown(`- Conversation: ${inlineCode(c.id)}\n`);
  if (c.user) md.appendMarkdown(`- ${c.kind === 'personal' ? 'User' : 'Last sender'}: ${c.user.name ? `${escapeMarkdown(c.user.name)} ` : ''}${inlineCode(c.user.id)}\n`);
  if (c.team) md.appendMarkdown(`- Team: ${c.team.name ? `${escapeMarkdown(c.team.name)} ` : ''}${inlineCode(c.team.id)}\n`);
  if (c.tenantId) md.appendMarkdown(`- Tenant: ${inlineCode(c.tenantId)}\n`);
  md.appendMarkdown(`- Service URL: ${inlineCode(c.serviceUrl)}\n`);
  md.appendMarkdown(`- Last activity: ${new Date(c.lastActivityAt).toLocaleString()}\n`);
  return md;
}
