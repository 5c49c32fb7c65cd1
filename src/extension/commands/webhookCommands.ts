import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { GatewayState } from '../../core/gateway/gateway';
import { currentAppId } from './configCommands';

/** Starts the webhook with this folder's config and the app password from Secret Storage. */
export async function startWebhook(ctx: Ctx, opts: { quiet?: boolean } = {}): Promise<GatewayState | undefined> {
  const configFile = ctx.configFile;
  const stateDir = ctx.stateDir;
  const stores = ctx.stores();
  if (!configFile || !stateDir || !stores) {
    void vscode.window.showErrorMessage('Open a folder first: the webhook keeps its config and state in the workspace folder.', 'Open Folder').then((c) => c && vscode.commands.executeCommand('workbench.action.files.openFolder'));
    return undefined;
  }
  await stores.ready;
  const appId = await currentAppId(ctx);
  const appPassword = process.env.MSTEAMS_APP_PASSWORD ? undefined : await ctx.secrets.get(appId);
  try {
    const state = await ctx.host.start({ configFile, stateDir, logger: ctx.logger, pairing: stores.pairing, activities: stores.activities, appPassword });
    if (!opts.quiet) void vscode.window.setStatusBarMessage(`$(broadcast) Teams bot webhook listening on ${state.url}`, 5000);
    if (appId && !appPassword && !process.env.MSTEAMS_APP_PASSWORD) {
      ctx.logger.warn(`[msteams] appId ${appId} has no app password in Secret Storage: incoming tokens are checked, but pairing codes and echo replies cannot be sent. Run "Teams Bot: Set App Password".`);
    }
    return state;
  } catch (err) {
    const message = (err as Error).message;
    ctx.logger.error(`[msteams] the webhook did not start: ${message}`);
    if (ctx.notify('error')) void showStartError(message);
    return undefined;
  }
}

async function showStartError(message: string): Promise<void> {
  const actions = /is invalid/.test(message)
    ? ['Open Config', 'Show Log']
    : /already in use/.test(message)
      ? ['Change Port', 'Show Log']
      : ['Show Log'];
  const choice = await vscode.window.showErrorMessage(`The Teams bot webhook did not start. ${firstLine(message)}`, ...actions);
  if (choice === 'Open Config') await vscode.commands.executeCommand('teamsBot.editConfig');
  if (choice === 'Change Port') await vscode.commands.executeCommand('teamsBot.editConfig', 'webhook');
  if (choice === 'Show Log') await vscode.commands.executeCommand('teamsBot.showLog');
}

function firstLine(message: string): string {
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
