import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { GatewayState } from '../../core/gateway/gateway';
import { currentAppId } from './configCommands';
import { readSetupValues } from '../setup/setupConfig';
import { restrictedModeBlockers, restrictedModeMessage, showRestrictedMode } from '../workspaceTrust';

/** Starts the webhook with this folder's config and the app password from Secret Storage. */
export async function startWebhook(ctx: Ctx, opts: { quiet?: boolean } = {}): Promise<GatewayState | undefined> {
  const configFile = ctx.configFile;
  const stateDir = ctx.stateDir;
  const stores = ctx.stores();
  if (!configFile || !stateDir || !stores) {
    void ctx.toasts.error('Open a folder first: the webhook keeps its config and state in the workspace folder.', 'Open Folder').then((c) => c && vscode.commands.executeCommand('workbench.action.files.openFolder'));
    return undefined;
  }
  const blockers = await restrictedModeBlockers(ctx);
  if (blockers.length) {
    const message = restrictedModeMessage('The Teams bot webhook', blockers);
    ctx.logger.error(`[msteams] ${message}`);
    // Shown even when F5 starts the webhook quietly: the developer must learn why and how to trust the folder.
    if (ctx.notify('error')) void showRestrictedMode(ctx, message);
    return undefined;
  }
  await stores.ready;
  const appId = await currentAppId(ctx);
  const appPassword = process.env.MSTEAMS_APP_PASSWORD ? undefined : await ctx.secrets.get(appId);
  try {
    const state = await ctx.host.start({ configFile, stateDir, logger: ctx.logger, pairing: stores.pairing, activities: stores.activities, appPassword, trusted: () => vscode.workspace.isTrusted });
    if (!opts.quiet) void vscode.window.setStatusBarMessage(`$(broadcast) Teams bot webhook listening on ${state.url}`, 5000);
    if (appId && !appPassword && !process.env.MSTEAMS_APP_PASSWORD) {
      ctx.logger.warn(`[msteams] appId ${appId} has no app password in Secret Storage: incoming tokens are checked, but pairing codes and echo replies cannot be sent. Run "Teams Bot: Set App Password".`);
    }
    return state;
  } catch (err) {
    const message = (err as Error).message;
    ctx.logger.error(`[msteams] the webhook did not start: ${message}`);
    if (ctx.notify('error')) void showStartError(ctx, err as Error);
    return undefined;
  }
}

/** The start failure as one toast: workspace-relative paths, and the button that fixes it. */
async function showStartError(ctx: Ctx, err: Error): Promise<void> {
  const message = relativePaths(err.message, [ctx.configFile, ctx.stateDir]);
  const actions = /is invalid/.test(message)
    ? ['Open Config', 'Show Log']
    : /already in use/.test(message)
      ? ['Change Port', 'Show Log']
      : err.name === 'StateDirInUseError'
        ? ['Change State Dir', 'Show Log']
        : ['Show Log'];
  const choice = await ctx.toasts.error(`The Teams bot webhook did not start. ${problemsInBrief(message)}`, ...actions);
  if (choice === 'Open Config') await vscode.commands.executeCommand('teamsBot.editConfig');
  if (choice === 'Change Port') await vscode.commands.executeCommand('teamsBot.editConfig', ['webhook', 'port'], (await readSetupValues(ctx)).webhookPort);
  if (choice === 'Change State Dir') await vscode.commands.executeCommand('workbench.action.openSettings', 'teamsBot.stateDir');
  if (choice === 'Show Log') await vscode.commands.executeCommand('teamsBot.showLog');
}

/** "/tmp/ws-1a2b/teams-bot.config.json is invalid" → "teams-bot.config.json is invalid": the absolute path is noise in a toast. */
export function relativePaths(message: string, paths: (string | undefined)[]): string {
  let out = message;
  for (const p of paths) if (p) out = out.split(p).join(vscode.workspace.asRelativePath(p, false));
  return out;
}

/** The first of the config's problems and how many more: a toast is no place for the whole list. */
function problemsInBrief(message: string): string {
  const [head, ...rest] = message.split('\n');
  return rest.length ? `${head} ${rest[0].trim()}${rest.length > 1 ? ` (+${rest.length - 1} more in the Problems view)` : ''}` : head;
}

export function registerWebhookCommands(ctx: Ctx): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('teamsBot.startWebhook', () => startWebhook(ctx)),
    vscode.commands.registerCommand('teamsBot.stopWebhook', async () => {
      await ctx.host.stop();
    }),
    vscode.commands.registerCommand('teamsBot.restartWebhook', async () => {
      await ctx.host.stop();
      return startWebhook(ctx);
    }),
  ];
}
