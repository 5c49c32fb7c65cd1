import * as vscode from 'vscode';
import { listApproved, type ApprovedSenderView } from '../../core/pairing/pairingActions';
import type { TeamsBotConfig } from '../../core/config/configTypes';
import { ago } from '../../core/timeAgo';
import type { Ctx } from '../ctx';
import { loadConfigModule } from '../lazyModules';
import { escapeMarkdown, inlineCode } from './markdown';

/**
 * Everyone who may message the bot, and where that permission lives: a
 * pairing approval (the state dir's allow store, personal chats only) or the
 * config's allowFrom. Refreshed by the allow store's events (this window, the
 * CLI, another window), config reloads and edits of the config file.
 */
export class ApprovedSendersTreeProvider implements vscode.TreeDataProvider<ApprovedSenderView>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ApprovedSenderView | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<ApprovedSenderView>;
  private offs: (() => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView('teamsBot.approvedSenders', { treeDataProvider: this });
    ctx.onStores((stores) => {
      for (const off of this.offs) off();
      this.offs = [stores.pairing.on('approvedChanged', () => this.refresh())];
      void stores.ready.then(() => this.refresh());
    });
    const offConfig = ctx.host.on('configChanged', () => this.refresh());
    const watcher = vscode.workspace.createFileSystemWatcher('**/teams-bot.config.json');
    this.disposables.push(watcher, watcher.onDidChange(() => this.refresh()), watcher.onDidCreate(() => this.refresh()), watcher.onDidDelete(() => this.refresh()), { dispose: offConfig });
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Read afresh each time: the allow store re-reads its small file, so the CLI's changes are never missed. */
  list(): Promise<ApprovedSenderView[]> {
    return this.load();
  }

  private async load(): Promise<ApprovedSenderView[]> {
    const stores = this.ctx.stores();
    if (!stores) return [];
    await stores.ready;
    const gateway = this.ctx.host.gateway;
    // The running gateway's config is what decides; stopped, the file is.
    const senders = gateway ? await gateway.listApproved() : await listApproved({ store: stores.pairing, config: await this.configOnDisk() });
    const pairing = senders.filter((s) => s.source === 'pairing').length;
    this.view.description = senders.length ? `${pairing} by pairing · ${senders.length - pairing} in config` : undefined;
    return senders;
  }

  /** Only allowFrom is read; an invalid or missing file lists pairing approvals alone. */
  private async configOnDisk(): Promise<TeamsBotConfig | undefined> {
    const file = this.ctx.configFile;
    if (!file) return undefined;
    try {
      const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8');
      return loadConfigModule().parseConfigText(text, { env: {}, file }).config;
    } catch {
      return undefined;
    }
  }

  getTreeItem(sender: ApprovedSenderView): vscode.TreeItem {
    const item = new vscode.TreeItem(sender.name ?? sender.id ?? sender.entry, vscode.TreeItemCollapsibleState.None);
    item.id = `approved:${sender.source}:${sender.entry}`;
    const where = sender.source === 'pairing' ? 'pairing approval · personal chats' : 'config allowFrom';
    item.description = `${where}${sender.approvedAt ? ` · ${ago(sender.approvedAt)}` : ''}`;
    item.iconPath = sender.source === 'pairing'
      ? new vscode.ThemeIcon('verified', new vscode.ThemeColor('charts.green'))
      : new vscode.ThemeIcon('settings-gear', new vscode.ThemeColor('charts.blue'));
    item.contextValue = `approvedSender:${sender.source}`;
    item.tooltip = tooltip(sender, this.ctx.configFile);
    item.accessibilityInformation = { label: `${sender.name ?? sender.entry}, approved in ${where}` };
    return item;
  }

  async getChildren(element?: ApprovedSenderView): Promise<ApprovedSenderView[]> {
    if (element) return [];
    return this.list();
  }

  dispose(): void {
    for (const off of this.offs) off();
    for (const d of this.disposables) d.dispose();
    this.view.dispose();
    this.changed.dispose();
  }
}

function tooltip(sender: ApprovedSenderView, configFile: string | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  if (sender.source === 'pairing') {
    md.appendMarkdown('**Approved by pairing**: may message the bot in personal chats. Group chats and channels follow the config\'s groupAllowFrom / allowFrom; **Promote to Config** adds this sender there.\n\n');
  } else {
    md.appendMarkdown('**In the config\'s allowFrom**: personal chats, and group chats and channels while groupAllowFrom is unset or empty. Remove the entry from the file to revoke it.\n\n');
  }
  md.appendMarkdown(`- Entry: ${inlineCode(sender.entry)}\n`);
  if (sender.id && sender.id !== sender.entry) md.appendMarkdown(`- Teams id: ${inlineCode(sender.id)}\n`);
  if (sender.aadObjectId && sender.aadObjectId !== sender.entry) md.appendMarkdown(`- AAD object id: ${inlineCode(sender.aadObjectId)}\n`);
  if (sender.approvedAt) md.appendMarkdown(`- Approved ${new Date(sender.approvedAt).toLocaleString()}${sender.approvedBy ? ` by ${escapeMarkdown(sender.approvedBy)}` : ''}${sender.code ? ` (code \`${sender.code}\`)` : ''}\n`);
  md.appendMarkdown(`- Lives in: ${sender.source === 'pairing' ? '`allowFrom.json` in the state dir' : `\`${configFile ?? 'teams-bot.config.json'}\``}\n`);
  return md;
}
