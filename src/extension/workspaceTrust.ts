import * as vscode from 'vscode';
import { trustBlockers, trustBlockerMessage, type TrustBlocker } from '../core/config/trustBlockers';
import type { Ctx } from './ctx';
import { readRawConfig } from './setup/setupConfig';

/**
 * Restricted Mode: a cloned repository's config must not choose who signs
 * the tokens the webhook trusts, where the client secret goes, or where bot
 * tokens may be sent. In an untrusted folder, the webhook and F5 refuse to
 * start while the config sets such a key (core/config/trustBlockers.ts says
 * which); everything else works as usual.
 */
export async function restrictedModeBlockers(ctx: Ctx): Promise<TrustBlocker[]> {
  if (vscode.workspace.isTrusted) return [];
  return trustBlockers(await readRawConfig(ctx));
}

export const MANAGE_TRUST = 'Manage Workspace Trust';

/** The sentence to show and log: which keys, why, and how to go on. */
export function restrictedModeMessage(what: string, blockers: readonly TrustBlocker[]): string {
  return `${what} did not start: ${trustBlockerMessage(blockers)}`;
}

/** The error toast with the button that opens VS Code's trust editor. */
export async function showRestrictedMode(ctx: Ctx, message: string): Promise<void> {
  const choice = await ctx.toasts.error(message, MANAGE_TRUST, 'Open Config');
  if (choice === MANAGE_TRUST) await vscode.commands.executeCommand('workbench.trust.manage');
  if (choice === 'Open Config') await vscode.commands.executeCommand('teamsBot.editConfig');
}
