import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

export const DEBUG_TYPE = 'teams-bot';

/** What a `teams-bot` launch configuration may say (package.json contributes the schema). */
export interface TeamsBotLaunch extends vscode.DebugConfiguration {
  program?: string;
  cwd?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Where the bot listens; the webhook forwards accepted activities there. */
  botPort?: number;
  botPath?: string;
  /** false: no tunnel (local testing with the Playground or Simulate). */
  tunnel?: boolean;
  /** Keep hosting the tunnel after the session ends. */
  keepTunnel?: boolean;
  runtimeExecutable?: string;
  /** The developer's own env file; F5 passes its lines on, with the client secret added. */
  envFile?: string;
}

export function defaultLaunch(): TeamsBotLaunch {
  return { type: DEBUG_TYPE, request: 'launch', name: 'Teams Bot: webhook + tunnel + bot', program: '${workspaceFolder}/index.js', botPort: 3979 };
}

/**
 * The folder's `teams-bot` launch configuration, added to .vscode/launch.json
 * when there is none (creating the file), so F5 and the walkthrough's button
 * work in a folder set up by hand. Returns its name.
 */
export async function ensureLaunchConfig(ctx: Ctx): Promise<string | undefined> {
  const folder = ctx.folder;
  if (!folder) return undefined;
  const launch = vscode.workspace.getConfiguration('launch', folder.uri);
  const configurations = launch.get<vscode.DebugConfiguration[]>('configurations') ?? [];
  const existing = configurations.find((c) => c.type === DEBUG_TYPE);
  if (existing) return existing.name;
  const added = defaultLaunch();
  await launch.update('configurations', [...configurations, added], vscode.ConfigurationTarget.WorkspaceFolder);
  if (launch.inspect('version')?.workspaceFolderValue === undefined) await launch.update('version', '0.2.0', vscode.ConfigurationTarget.WorkspaceFolder);
  ctx.logger.info(`[f5] added the "${added.name}" launch configuration to .vscode/launch.json`);
  return added.name;
}

/**
 * The walkthrough's "Press F5" button: starts the folder's `teams-bot`
 * launch itself. Pressing F5 with a JSON file focused asks VS Code for a JSON
 * debugger, a dead end right after Create Config.
 */
export async function startTeamsBotLaunch(ctx: Ctx): Promise<boolean> {
  const folder = ctx.folder;
  if (!folder) {
    void ctx.toasts.error('Open the folder of your bot first: F5 starts the webhook, the tunnel and the bot from it.');
    return false;
  }
  const name = await ensureLaunchConfig(ctx);
  if (!name) return false;
  return vscode.debug.startDebugging(folder, name);
}
