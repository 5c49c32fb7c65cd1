import * as vscode from 'vscode';
import { Ctx } from './ctx';
import { PairingTreeProvider } from './views/pairingTree';
import { ActivityTreeProvider } from './views/activityTree';
import { ApprovedSendersTreeProvider } from './views/approvedSendersTree';
import { ActivityDocumentProvider, ACTIVITY_SCHEME } from './views/activityDocument';
import { StatusBar } from './statusBar';
import { ConfigDiagnostics } from './configDiagnostics';
import { watchPairingRequests } from './pairingNotifications';
import { registerWebhookCommands, startWebhook } from './commands/webhookCommands';
import { registerConfigCommands } from './commands/configCommands';
import { registerPairingCommands } from './commands/pairingCommands';
import { registerActivityCommands } from './commands/activityCommands';
import { registerApprovedSenderCommands } from './commands/approvedSenderCommands';
import { registerSimulateCommand } from './commands/simulateCommand';
import { TunnelController } from './tunnelController';
import { registerSetupCommands } from './setup/setupCommands';
import { registerDeliveryCheck } from './deliveryCheck/deliveryCheckCommand';
import { TeamsBotDebugProvider } from './debug/teamsBotDebug';
import { registerOpenClaw } from './openclaw/registerOpenClaw';
import { registerConversationTests } from './conversationTests/registerConversationTests';
import { registerConversations } from './commands/conversationCommands';
import type { ConversationsTreeProvider } from './views/conversationsTree';
import { registerChat } from './chat/registerChat';
import { registerCredentialCommands } from './commands/credentialCommands';

/** What activate() returns: the extension's parts, for integration tests and other extensions. */
export interface TeamsBotApi {
  ctx: Ctx;
  pairingTree: PairingTreeProvider;
  activityTree: ActivityTreeProvider;
  approvedSenders: ApprovedSendersTreeProvider;
  diagnostics: ConfigDiagnostics;
  /** The webhook's status bar item (its text says when a config reload failed). */
  statusBar: StatusBar;
  tunnel: TunnelController;
  /** The `teams-bot` debug configuration provider (F5); `lastFailure` says why the last F5 stopped. */
  debug: TeamsBotDebugProvider;
  /** Milliseconds activate() took, measured inside it. */
  activationMs: number;
  /** The Conversations view (stored conversation references; Send Message as Bot…). */
  conversations: ConversationsTreeProvider;
}

let current: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): TeamsBotApi {
  const started = performance.now();
  const ctx = new Ctx(context);
  current = ctx;

  const pairingTree = new PairingTreeProvider(ctx);
  const activityTree = new ActivityTreeProvider(ctx);
  const approvedSenders = new ApprovedSendersTreeProvider(ctx);
  const diagnostics = new ConfigDiagnostics(ctx);
  const tunnel = new TunnelController(ctx);
  const debug = new TeamsBotDebugProvider(ctx, tunnel);
  const statusBar = new StatusBar(ctx);
  ctx.subscribe(
    tunnel,
    debug,
    ...registerSetupCommands(ctx, tunnel),
    ...registerDeliveryCheck(ctx, tunnel),
    pairingTree,
    activityTree,
    approvedSenders,
    diagnostics,
    statusBar,
    vscode.window.createTreeView('teamsBot.pairing', { treeDataProvider: pairingTree, showCollapseAll: false }),
    vscode.workspace.registerTextDocumentContentProvider(ACTIVITY_SCHEME, new ActivityDocumentProvider(ctx)),
    ...registerWebhookCommands(ctx),
    ...registerConfigCommands(ctx),
    ...registerPairingCommands(ctx, activityTree),
    ...registerActivityCommands(ctx, activityTree),
    ...registerApprovedSenderCommands(ctx, approvedSenders),
    ...registerSimulateCommand(ctx),
    ...registerConversationTests(ctx, activityTree),
    ...registerChat(ctx),
    ...registerCredentialCommands(ctx),
    vscode.commands.registerCommand('teamsBot.focus', () => vscode.commands.executeCommand('workbench.view.extension.teamsBot')),
    vscode.commands.registerCommand('teamsBot.showLog', () => ctx.log.show(true)),
  );
  const conversations = registerConversations(ctx, activityTree);
  watchPairingRequests(ctx);
  registerOpenClaw(ctx);
  void trackContext(ctx);

  // Opening the views must not wait for the disk: stores load in the background.
  ctx.stores();
  if (ctx.settings.autoStart) void hasConfig(ctx).then((yes) => (yes ? startWebhook(ctx, { quiet: true }) : undefined));

  const activationMs = performance.now() - started;
  ctx.logger.debug(`[extension] activated in ${activationMs.toFixed(1)} ms`);
  return { ctx, pairingTree, activityTree, approvedSenders, diagnostics, statusBar, tunnel, debug, activationMs, conversations };
}

export async function deactivate(): Promise<void> {
  await current?.dispose();
  current = undefined;
}

/** Keeps the when-clause context keys in step with the workspace and the webhook. */
async function trackContext(ctx: Ctx): Promise<void> {
  const set = (key: string, value: unknown) => vscode.commands.executeCommand('setContext', key, value);
  const refreshConfig = async () => set('teamsBot.hasConfig', await hasConfig(ctx));
  ctx.host.on('state', (state) => void set('teamsBot.webhookRunning', state.status === 'running'));
  const watcher = vscode.workspace.createFileSystemWatcher('**/teams-bot.config.json');
  ctx.subscribe(watcher, watcher.onDidCreate(refreshConfig), watcher.onDidDelete(refreshConfig));
  ctx.subscribe(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('teamsBot.configPath')) void refreshConfig();
    if (e.affectsConfiguration('teamsBot.stateDir')) ctx.stores();
  }));
  await Promise.all([refreshConfig(), set('teamsBot.webhookRunning', false)]);
}

async function hasConfig(ctx: Ctx): Promise<boolean> {
  const file = ctx.configFile;
  if (!file) return false;
  return vscode.workspace.fs.stat(vscode.Uri.file(file)).then(() => true, () => false);
}
