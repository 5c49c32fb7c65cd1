import * as vscode from 'vscode';
import { Devtunnel } from '../core/drivers/devtunnel';
import { TeamsCli } from '../core/drivers/teamsCli';
import { ToolNotFoundError } from '../core/process/toolNotFound';
import type { Ctx } from './ctx';

/** The two external CLIs, built from the current settings each time (a changed path applies at once). */
export function devtunnel(ctx: Ctx): Devtunnel {
  return new Devtunnel({ executable: ctx.settings.devtunnelPath, logger: ctx.logger });
}

export function teamsCli(ctx: Ctx): TeamsCli {
  return new TeamsCli({ executable: ctx.settings.teamsCliPath, logger: ctx.logger });
}

/** Interactive sign-in belongs in a terminal the developer can see and type into. */
export function runInTerminal(name: string, command: { command: string; args: string[]; env?: Record<string, string> }): vscode.Terminal {
  const terminal = vscode.window.createTerminal({ name, env: command.env });
  terminal.show();
  terminal.sendText([command.command, ...command.args].map(quote).join(' '));
  return terminal;
}

/**
 * One sentence naming the step that failed, and the buttons that fix it:
 * a missing CLI offers to install it (and its path setting), a sign-in
 * problem the sign-in. The text is plain (ctx.toasts): no Markdown backticks.
 */
export async function explainFailure(ctx: Ctx, step: string, err: unknown, retry?: () => unknown): Promise<void> {
  const error = err as Error & { tool?: { settingName: string } };
  const message = `${step} failed: ${error.message}`;
  const actions: string[] = [];
  if (err instanceof ToolNotFoundError) actions.push('Install', 'Open Settings');
  if (/not logged in|login required|sign in|AUTH_REQUIRED|Login token expired|logged in/i.test(`${error.name} ${error.message} ${(error as { code?: string }).code ?? ''}`)) actions.push('Sign In');
  if (retry) actions.push('Retry');
  actions.push('Show Log');
  const choice = await ctx.toasts.error(message, ...actions);
  if (choice === 'Install' && err instanceof ToolNotFoundError) await installTool(err.tool.name);
  if (choice === 'Open Settings' && err instanceof ToolNotFoundError) await vscode.commands.executeCommand('workbench.action.openSettings', err.tool.settingName);
  if (choice === 'Sign In') await vscode.commands.executeCommand(/devtunnel/i.test(`${error.name}${message}`) ? 'teamsBot.signInDevtunnel' : 'teamsBot.signInTeams');
  if (choice === 'Retry') await retry?.();
  if (choice === 'Show Log') await vscode.commands.executeCommand('teamsBot.showLog');
}

/**
 * Install button: the Teams CLI and OpenClaw are npm packages, so their
 * install runs in a terminal the developer sees; devtunnel's installer
 * differs per OS, so its page opens instead of piping a script into a shell
 * unseen. Any other name opens nothing it was not asked for.
 */
export async function installTool(name: string): Promise<void> {
  if (name === 'teams') {
    runInTerminal('Install the Teams CLI', { command: 'npm', args: ['install', '-g', '@microsoft/teams.cli'] });
  } else if (name === 'openclaw') {
    runInTerminal('Install OpenClaw', { command: 'npm', args: ['install', '-g', 'openclaw'] });
  } else if (name === 'devtunnel') {
    await vscode.env.openExternal(vscode.Uri.parse('https://aka.ms/devtunnels/cli'));
  }
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
