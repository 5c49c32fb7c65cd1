import * as vscode from 'vscode';
import type { CredentialCheckResult } from '../../core/credentials/credentialCheck';
import type { Ctx } from '../ctx';
import { loadConfigModule, loadGatewayModule } from '../lazyModules';
import { restrictedModeBlockers, restrictedModeMessage, showRestrictedMode } from '../workspaceTrust';

export const CHECK_CREDENTIALS_COMMAND = 'teamsBot.checkCredentials';

const SET_APP_PASSWORD = 'Set App Password…';
const OPEN_CONFIG = 'Open Config';

/**
 * Teams Bot: Check Bot Credentials. Asks Entra ID for the bot's token with the
 * config's identity and the app password the webhook would use (Secret
 * Storage; MSTEAMS_APP_PASSWORD wins when set, as when the webhook starts),
 * and says what happened: an info toast with the identity, or an error with
 * the AADSTS explanation and a button to where the fix is made. Resolves with
 * the result without waiting for a button (the in-host tests read it).
 */
export function registerCredentialCommands(ctx: Ctx): vscode.Disposable[] {
  return [vscode.commands.registerCommand(CHECK_CREDENTIALS_COMMAND, () => checkBotCredentials(ctx))];
}

async function checkBotCredentials(ctx: Ctx): Promise<CredentialCheckResult | undefined> {
  const configFile = ctx.configFile;
  if (!configFile) {
    void ctx.toasts.error('Open the folder of your bot first: the Credential Check reads its teams-bot.config.json.');
    return undefined;
  }
  const loaded = await loadConfigModule().loadConfigFile(configFile);
  if (!loaded.config) {
    void ctx.toasts.error(`${vscode.workspace.asRelativePath(configFile)} is invalid: fix the errors in Problems, then check the credentials.`, OPEN_CONFIG).then((choice) => {
      if (choice === OPEN_CONFIG) void vscode.commands.executeCommand('teamsBot.editConfig');
    });
    return undefined;
  }
  const config = loaded.config;
  // Restricted Mode: a cloned config's cloudOverrides.loginEndpoint would receive the app password; the webhook refuses it too.
  const blockers = await restrictedModeBlockers(ctx);
  if (blockers.length) {
    const message = restrictedModeMessage('The Credential Check', blockers);
    ctx.logger.error(`[credentials] ${message}`);
    void showRestrictedMode(ctx, message);
    return undefined;
  }
  const stored = process.env.MSTEAMS_APP_PASSWORD ? undefined : (await ctx.secrets.get(config.appId)) || undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Checking the credentials of app ${config.appId ?? '(none)'} with Entra ID…` },
    () => loadGatewayModule().checkCredentials({ config, secrets: { appPassword: stored }, env: process.env, logger: ctx.logger }),
  );

  if ('skipped' in result) {
    ctx.logger.info(`[credentials] skipped: ${result.detail}`);
    void ctx.toasts.info(`Credential Check skipped: ${result.detail}`);
  } else if (result.ok) {
    ctx.logger.info(`[credentials] ok: ${result.identity}`);
    void ctx.toasts.info(`Bot credentials work. ${result.detail} Identity: ${result.identity}.`);
  } else {
    ctx.logger.warn(`[credentials] failed${result.code ? ` (${result.code})` : ''}: ${result.detail} Fix: ${result.fix}`);
    const buttons = result.fixIn?.kind === 'app-password' ? [SET_APP_PASSWORD, OPEN_CONFIG] : [OPEN_CONFIG];
    void ctx.toasts.error(`Bot credentials failed${result.code ? ` (${result.code})` : ''}: ${result.detail} Fix: ${result.fix}`, ...buttons).then(async (choice) => {
      if (choice === SET_APP_PASSWORD) {
        // A new password is checked at once: that is what the developer wants to know next.
        if (await vscode.commands.executeCommand<boolean>('teamsBot.setAppPassword')) await vscode.commands.executeCommand(CHECK_CREDENTIALS_COMMAND);
      } else if (choice === OPEN_CONFIG) {
        // The key to fix is selected, and added empty when the file has none (a single-tenant app without "tenantId").
        if (result.fixIn?.kind === 'config') await vscode.commands.executeCommand('teamsBot.editConfig', result.fixIn.key, '');
        else await vscode.commands.executeCommand('teamsBot.editConfig', 'appId');
      }
    });
  }
  return result;
}
