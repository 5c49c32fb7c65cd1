import * as vscode from 'vscode';
import { parse } from 'jsonc-parser';
import type { Ctx } from '../ctx';

/** The few raw config values setup and F5 need, read without validating the whole file. */
export interface SetupValues {
  appId?: string;
  tenantId?: string;
  teamsAppId?: string;
  tunnelId?: string;
  tunnelPort?: number;
  keepTunnel?: boolean;
  webhookPort: number;
  webhookPath: string;
}

/**
 * The config file as plain JSON (comments allowed), without validation: an
 * invalid file must not stop the commands that only need one value from it.
 * {} when there is no folder, no file, or no object in it.
 */
export async function readRawConfig(ctx: Ctx): Promise<Record<string, any>> {
  const file = ctx.configFile;
  if (!file) return {};
  try {
    const value: unknown = parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, any>) : {};
  } catch {
    return {};
  }
}

export async function readSetupValues(ctx: Ctx): Promise<SetupValues> {
  const raw = await readRawConfig(ctx);
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const webhookPort = typeof raw.webhook?.port === 'number' ? raw.webhook.port : 3978;
  return {
    appId: process.env.MSTEAMS_APP_ID || str(raw.appId),
    tenantId: process.env.MSTEAMS_TENANT_ID || str(raw.tenantId),
    teamsAppId: str(raw.teamsAppId),
    tunnelId: str(raw.tunnel?.id),
    tunnelPort: typeof raw.tunnel?.port === 'number' ? raw.tunnel.port : undefined,
    keepTunnel: raw.tunnel?.keepRunning === true,
    webhookPort,
    webhookPath: str(raw.webhook?.path) ?? '/api/messages',
  };
}

/** A tunnel id from the folder name: lowercase letters, digits and dashes, as devtunnel requires. */
export function suggestedTunnelId(folderName: string): string {
  const slug = folderName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'teams';
  return `${slug}-bot`.replace(/^-/, '');
}
