import * as vscode from 'vscode';
import type { PairingRequest } from '../../core/pairing/pairingRequest';
import type { Ctx } from '../ctx';
import { escapeMarkdown, inlineCode } from './markdown';
import { ago } from '../../core/timeAgo';

/** One row per pending pairing request; refreshed by the store's events, never polled. */
export class PairingTreeProvider implements vscode.TreeDataProvider<PairingRequest>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PairingRequest | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private offs: (() => void)[] = [];

  constructor(private readonly ctx: Ctx) {
    ctx.onStores((stores) => {
      for (const off of this.offs) off();
      this.offs = [stores.pairing.on('changed', () => this.changed.fire(undefined))];
      void stores.ready.then(() => this.changed.fire(undefined));
    });
  }

  getTreeItem(request: PairingRequest): vscode.TreeItem {
    const who = request.meta.name ?? request.id;
    const item = new vscode.TreeItem(`${request.code} · ${who}`, vscode.TreeItemCollapsibleState.None);
    const count = request.meta.count;
    item.description = `${count} message${count === 1 ? '' : 's'} · ${ago(request.createdAt)}`;
    item.iconPath = new vscode.ThemeIcon('person', new vscode.ThemeColor('charts.yellow'));
    item.contextValue = 'pairingRequest';
    item.id = `pairing:${request.code}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escapeMarkdown(who)}** wants to message your bot\n\n`);
    tooltip.appendMarkdown(`- Code: \`${request.code}\`${request.repliedAt ? ' (sent to them)' : ' (not sent to them yet)'}\n`);
    tooltip.appendMarkdown(`- Teams id: ${inlineCode(request.id)}\n`);
    if (request.meta.aadObjectId) tooltip.appendMarkdown(`- AAD object id: ${inlineCode(request.meta.aadObjectId)} (what an approval records)\n`);
    tooltip.appendMarkdown(`- Messages: ${count}, first ${ago(request.createdAt)}, last ${ago(request.lastSeenAt)}\n`);
    item.tooltip = tooltip;
    return item;
  }

  getChildren(element?: PairingRequest): PairingRequest[] {
    if (element) return [];
    return this.ctx.stores()?.pairing.list() ?? [];
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.changed.dispose();
  }
}
