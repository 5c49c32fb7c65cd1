import * as vscode from 'vscode';
import { expiresAt, type OpenClawPairingRequest } from '../../core/openclaw/openclawOutput';
import { ago } from '../../core/timeAgo';
import { escapeMarkdown, inlineCode } from '../views/markdown';
import type { OpenClawController } from './openclawController';

/** Rows of the OpenClaw view: two sections, their entries, and a row saying what went wrong. */
export type OpenClawNode =
  | { kind: 'section'; section: 'pending' | 'approved' }
  | { kind: 'request'; request: OpenClawPairingRequest }
  | { kind: 'approved'; entry: string; detail: string }
  | { kind: 'message'; text: string; error?: boolean; tooltip?: string };

/** "57 min left": how long until OpenClaw drops the request. */
export function timeLeft(request: OpenClawPairingRequest, now = Date.now()): string {
  const minutes = Math.ceil((expiresAt(request) - now) / 60_000);
  return minutes <= 0 ? 'expired' : `${minutes} min left`;
}

export class OpenClawTreeProvider implements vscode.TreeDataProvider<OpenClawNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<OpenClawNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;
  // Ages and time left move even when nothing else does.
  private readonly ticker = setInterval(() => this.changed.fire(undefined), 60_000);

  constructor(private readonly controller: OpenClawController) {
    this.sub = controller.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: OpenClawNode): vscode.TreeItem {
    switch (node.kind) {
      case 'section': {
        const pending = node.section === 'pending';
        const count = pending ? this.controller.requests.length : this.approvedRows().filter((r) => r.kind === 'approved').length;
        const item = new vscode.TreeItem(pending ? `Pending (${count})` : `Approved (${count})`, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `openclaw:${node.section}`;
        item.iconPath = new vscode.ThemeIcon(pending ? 'watch' : 'pass');
        return item;
      }
      case 'request': {
        const r = node.request;
        const item = new vscode.TreeItem(`${r.code} · ${r.name ?? r.senderId}`, vscode.TreeItemCollapsibleState.None);
        // Time left first: at the default width a 36-character AAD id would push it out of sight (the id is in the tooltip).
        item.description = `${timeLeft(r)} · asked ${ago(r.createdAt)}`;
        item.iconPath = new vscode.ThemeIcon('person', new vscode.ThemeColor('charts.yellow'));
        item.contextValue = 'openclawRequest';
        item.id = `openclaw:request:${r.accountId}:${r.code}`;
        const tooltip = new vscode.MarkdownString(undefined, true);
        tooltip.appendMarkdown(`**${escapeMarkdown(r.name ?? 'A Teams user')}** is waiting for access to your OpenClaw bot\n\n`);
        tooltip.appendMarkdown(`- Code: ${inlineCode(r.code)}\n- AAD object id: ${inlineCode(r.senderId)}\n- Account: ${inlineCode(r.accountId)}\n`);
        tooltip.appendMarkdown(`- Asked ${ago(r.createdAt)}, last message ${ago(r.lastSeenAt)}; OpenClaw drops the request in ${timeLeft(r).replace(' left', '')}\n`);
        item.tooltip = tooltip;
        return item;
      }
      case 'approved': {
        const item = new vscode.TreeItem(node.entry, vscode.TreeItemCollapsibleState.None);
        item.description = node.detail;
        item.iconPath = new vscode.ThemeIcon('person');
        item.contextValue = 'openclawApproved';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info', node.error ? new vscode.ThemeColor('errorForeground') : undefined);
        item.tooltip = node.tooltip ?? node.text;
        return item;
      }
    }
  }

  getChildren(node?: OpenClawNode): OpenClawNode[] {
    if (!node) {
      const error = this.controller.pairings?.lastError;
      const top: OpenClawNode[] = [];
      if (error) top.push({ kind: 'message', text: error.message, error: true, tooltip: (error as { printed?: string }).printed ?? error.message });
      return [...top, { kind: 'section', section: 'pending' }, { kind: 'section', section: 'approved' }];
    }
    if (node.kind !== 'section') return [];
    if (node.section === 'pending') {
      const requests = this.controller.requests;
      return requests.length > 0 ? requests.map((request) => ({ kind: 'request', request })) : [{ kind: 'message', text: 'Nobody is waiting for approval.' }];
    }
    return this.approvedRows();
  }

  private approvedRows(): OpenClawNode[] {
    const rows: OpenClawNode[] = [];
    const approved = this.controller.approved;
    if (approved.ok) {
      for (const s of approved.senders) rows.push({ kind: 'approved', entry: s.entry, detail: `approved ${ago(new Date(s.approvedAt).toISOString())}` });
    } else {
      rows.push({ kind: 'message', text: `Approved senders cannot be listed: ${approved.reason}` });
    }
    for (const entry of this.controller.configAllowFrom) rows.push({ kind: 'approved', entry, detail: 'in openclaw.json (channels.msteams.allowFrom)' });
    if (rows.length === 0) rows.push({ kind: 'message', text: 'No approved msteams senders yet.' });
    return rows;
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.sub.dispose();
    this.changed.dispose();
  }
}
