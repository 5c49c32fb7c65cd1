import * as vscode from 'vscode';
import type { ActivityRecord } from '../../core/activityRecord';
import type { Fate } from '../../core/reasons';
import { REASONS } from '../../core/reasons';
import type { Ctx } from '../ctx';
import { ago } from '../../core/timeAgo';

const FATE_LOOK: Record<Fate, { icon: string; color: string }> = {
  delivered: { icon: 'pass', color: 'charts.green' },
  dropped: { icon: 'circle-slash', color: 'charts.orange' },
  rejected: { icon: 'shield', color: 'charts.red' },
  failed: { icon: 'error', color: 'errorForeground' },
};

const PAGE = 200;

/** Newest first; a toggle hides what was delivered. Refreshed by the activity log's events. */
export class ActivityTreeProvider implements vscode.TreeDataProvider<ActivityRecord>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ActivityRecord | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private offs: (() => void)[] = [];
  private pending?: NodeJS.Timeout;
  onlyUndelivered = false;
  /** When set, only this sender's activities are shown (Show Activities on a pairing request). */
  senderFilter?: string;

  constructor(private readonly ctx: Ctx) {
    ctx.onStores((stores) => {
      for (const off of this.offs) off();
      this.offs = [
        stores.activities.on('recorded', () => this.refreshSoon()),
        stores.activities.on('cleared', () => this.refresh()),
      ];
      void stores.ready.then(() => this.refresh());
    });
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** A burst of requests becomes one repaint, not hundreds. */
  private refreshSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, 100);
  }

  getTreeItem(record: ActivityRecord): vscode.TreeItem {
    const s = record.summary;
    const arrow = record.direction === 'inbound' ? '' : '→ ';
    const who = s.senderName ?? s.senderId ?? (record.direction === 'outbound' ? 'gateway' : 'unknown sender');
    const text = s.text ? ` · ${s.text.slice(0, 60)}` : '';
    const item = new vscode.TreeItem(`${arrow}${s.type ?? 'request'} · ${who}${text}`, vscode.TreeItemCollapsibleState.None);
    item.id = `activity:${record.id}`;
    item.description = `${record.fate} · ${record.reason}${record.pairingCode ? ` (${record.pairingCode})` : ''} · ${ago(record.time)}`;
    const look = FATE_LOOK[record.fate];
    item.iconPath = new vscode.ThemeIcon(record.direction === 'outbound' && record.fate === 'delivered' ? 'reply' : look.icon, new vscode.ThemeColor(look.color));
    const sender = record.direction === 'inbound' && (s.aadObjectId || s.senderId) ? ':sender' : '';
    item.contextValue = `activity:${record.direction}${sender}`;
    item.command = { command: 'teamsBot.showActivity', title: 'Open Activity', arguments: [record] };
    item.tooltip = tooltip(record);
    item.accessibilityInformation = { label: `${record.fate}: ${record.reason}, ${s.type ?? 'request'} from ${who}` };
    return item;
  }

  getChildren(element?: ActivityRecord): ActivityRecord[] {
    if (element) return [];
    const activities = this.ctx.stores()?.activities;
    if (!activities) return [];
    return activities.list({ limit: PAGE, notDelivered: this.onlyUndelivered || undefined, senderId: this.senderFilter });
  }

  dispose(): void {
    for (const off of this.offs) off();
    clearTimeout(this.pending);
    this.changed.dispose();
  }
}

function tooltip(record: ActivityRecord): vscode.MarkdownString {
  const s = record.summary;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${record.fate}** — \`${record.reason}\`\n\n`);
  md.appendText(REASONS[record.reason]?.text ?? '');
  md.appendMarkdown('\n\n');
  if (record.detail) {
    md.appendText(record.detail);
    md.appendMarkdown('\n\n');
  }
  md.appendMarkdown(`- ${record.direction === 'inbound' ? 'Received' : 'Sent'} ${new Date(record.time).toLocaleString()} · HTTP ${record.status} · ${record.latencyMs} ms\n`);
  md.appendMarkdown(`- Source: ${record.source} · auth: ${record.auth}\n`);
  if (s.senderId) md.appendMarkdown(`- Sender: ${s.senderName ? `${escape(s.senderName)} ` : ''}\`${s.senderId}\`${s.aadObjectId ? ` (AAD \`${s.aadObjectId}\`)` : ''}\n`);
  if (s.conversationId) md.appendMarkdown(`- Conversation (${s.conversationKind ?? '?'}): \`${s.conversationId}\`\n`);
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
