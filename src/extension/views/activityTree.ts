import * as vscode from 'vscode';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import type { Fate } from '../../core/reasons';
import { REASONS } from '../../core/reasons';
import type { Ctx } from '../ctx';
import { escapeMarkdown, inlineCode } from './markdown';
import { ago } from '../../core/timeAgo';
import { displayText } from '../../core/displayText';
import { ActivityFilter, type ConversationFilter, type SenderFilter } from './activityFilter';

const FATE_LOOK: Record<Fate, { icon: string; color: string }> = {
  delivered: { icon: 'pass', color: 'charts.green' },
  dropped: { icon: 'circle-slash', color: 'charts.orange' },
  rejected: { icon: 'shield', color: 'charts.red' },
  failed: { icon: 'error', color: 'errorForeground' },
};

const PAGE = 200;

/**
 * Newest first, narrowed by an ActivityFilter whose every part shows in the
 * view's description. Refreshed by the activity log's events. Owns its
 * TreeView because the description and the context keys belong to the view.
 */
export class ActivityTreeProvider implements vscode.TreeDataProvider<ActivityRecord>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ActivityRecord | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly filter = new ActivityFilter();
  readonly view: vscode.TreeView<ActivityRecord>;
  private offs: (() => void)[] = [];
  private pending?: NodeJS.Timeout;

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView('teamsBot.activities', { treeDataProvider: this });
    ctx.onStores((stores) => {
      for (const off of this.offs) off();
      this.offs = [
        stores.activities.on('recorded', () => this.refreshSoon()),
        stores.activities.on('cleared', () => this.refresh()),
      ];
      void stores.ready.then(() => this.refresh());
    });
    void this.filterChanged();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Show Only Not Delivered / Show All Activities. */
  showOnlyUndelivered(only: boolean): Promise<void> {
    this.filter.notDelivered = only;
    return this.filterChanged();
  }

  /** Show Activities on a pairing request: one sender only, until Clear Filters. */
  showSender(sender: SenderFilter | undefined): Promise<void> {
    this.filter.sender = sender;
    return this.filterChanged();
  }

  /** Show Activities on a conversation: that conversation only (a channel with its threads), until Clear Filters. */
  showConversation(conversation: ConversationFilter | undefined): Promise<void> {
    this.filter.conversation = conversation;
    return this.filterChanged();
  }

  /** Show / Hide Delivery Check Probes. */
  showProbes(show: boolean): Promise<void> {
    this.filter.probes = show;
    return this.filterChanged();
  }

  clearFilters(): Promise<void> {
    this.filter.clear();
    return this.filterChanged();
  }

  /** What the view shows, without its paging limit (Export Shown Activities). */
  shownRecords(): ActivityRecord[] {
    return this.ctx.stores()?.activities.list({ ...this.filter.query(), limit: Number.MAX_SAFE_INTEGER }) ?? [];
  }

  private async filterChanged(): Promise<void> {
    const described = this.filter.describe();
    // Probes shown is not a filter (it hides nothing), but the view says so.
    const parts = [described ? `Filtered: ${described}` : undefined, this.filter.probes ? 'probes shown' : undefined].filter((p) => p !== undefined);
    this.view.description = parts.length ? parts.join(' · ') : undefined;
    this.refresh();
    const set = (key: string, value: unknown) => vscode.commands.executeCommand('setContext', key, value);
    await Promise.all([
      set('teamsBot.onlyUndelivered', this.filter.notDelivered),
      set('teamsBot.activitiesFiltered', this.filter.active),
      set('teamsBot.showingProbes', this.filter.probes),
    ]);
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
    // The fate and reason lead: they are why this view exists, and a narrow side bar cuts the end of a row.
    const item = new vscode.TreeItem(`${record.fate} · ${record.reason}${record.pairingCode ? ` (${record.pairingCode})` : ''}`, vscode.TreeItemCollapsibleState.None);
    item.id = `activity:${record.id}`;
    const warnings = record.warnings ?? [];
    // A warning (an invoke answer Teams would reject) shows before the rest of the row: it is why the user saw an error.
    item.description = `${warnings.length ? `⚠ ${warnings.map((w) => w.code).join(', ')} · ` : ''}${headline(record)} · ${ago(record.time)}`;
    const look = FATE_LOOK[record.fate];
    item.iconPath = warnings.length && record.fate === 'delivered'
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon(record.direction === 'outbound' && record.fate === 'delivered' ? 'reply' : look.icon, new vscode.ThemeColor(look.color));
    const sender = record.direction === 'inbound' && (s.aadObjectId || s.senderId) ? ':sender' : '';
    item.contextValue = `activity:${record.direction}${sender}`;
    item.command = { command: 'teamsBot.showActivity', title: 'Open Activity', arguments: [record] };
    item.tooltip = tooltip(record);
    item.accessibilityInformation = { label: `${record.fate}: ${record.reason}, ${activityTitle(record)}${warnings.length ? `, warning: ${warnings.map((w) => w.text).join('; ')}` : ''}` };
    return item;
  }

  getChildren(element?: ActivityRecord): ActivityRecord[] {
    if (element) return [];
    const activities = this.ctx.stores()?.activities;
    if (!activities) return [];
    return activities.list({ ...this.filter.query(), limit: PAGE });
  }

  dispose(): void {
    for (const off of this.offs) off();
    clearTimeout(this.pending);
    this.view.dispose();
    this.changed.dispose();
  }
}

export function who(record: ActivityRecord): string {
  const s = record.summary;
  return s.senderName ?? s.senderId ?? (record.direction === 'outbound' ? 'gateway' : 'unknown sender');
}

/**
 * `message · Alice Wilber` for what arrived, `→ message to Alice Wilber` for what
 * the gateway sent (its sender is the bot, which says nothing); the row and the
 * activity's tab title both use it.
 */
export function activityTitle(record: ActivityRecord): string {
  const type = record.summary.type ?? 'request';
  if (record.direction === 'inbound') return `${type} · ${who(record)}`;
  const to = record.activity?.recipient as { id?: unknown; name?: unknown } | undefined;
  const name = typeof to?.name === 'string' && to.name ? to.name : typeof to?.id === 'string' ? to.id : undefined;
  return name ? `→ ${type} to ${name}` : `→ ${type} · ${who(record)}`;
}

/** `message · Alice Wilber · @Bot hi channel`. */
function headline(record: ActivityRecord): string {
  const s = record.summary;
  return `${activityTitle(record)}${s.text ? ` · ${displayText(s.text)}` : ''}`;
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
  for (const warning of record.warnings ?? []) {
    md.appendMarkdown(`$(warning) **Warning** \`${warning.code}\`: `);
    md.appendText(warning.text);
    md.appendMarkdown('\n\n');
  }
  if (s.text) {
    md.appendMarkdown('> ');
    md.appendText(displayText(s.text));
    md.appendMarkdown('\n\n');
  }
  md.appendMarkdown(`- ${record.direction === 'inbound' ? 'Received' : 'Sent'} ${new Date(record.time).toLocaleString()} · HTTP ${record.status} · ${record.latencyMs} ms\n`);
  md.appendMarkdown(`- Source: ${record.source} · auth: ${record.auth}\n`);
  if (s.senderId) md.appendMarkdown(`- Sender: ${s.senderName ? `${escapeMarkdown(s.senderName)} ` : ''}${inlineCode(s.senderId)}${s.aadObjectId ? ` (AAD ${inlineCode(s.aadObjectId)})` : ''}\n`);
  if (s.conversationId) md.appendMarkdown(`- Conversation (${s.conversationKind ?? '?'}): ${inlineCode(s.conversationId)}\n`);
  return md;
}
