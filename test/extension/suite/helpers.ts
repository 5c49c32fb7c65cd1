import * as vscode from 'vscode';
import type { TeamsBotApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'teams-bot-dev.teams-bot-dev';

export async function api(): Promise<TeamsBotApi> {
  const ext = vscode.extensions.getExtension<TeamsBotApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  return ext.isActive ? ext.exports : ext.activate();
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test host must open a workspace folder');
  return folder.uri.fsPath;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function postActivity(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json };
}

export function dm(from: { id: string; name: string; aadObjectId: string }, text: string, serviceUrl: string): Record<string, unknown> {
  return {
    type: 'message', id: `m-${Math.random().toString(36).slice(2)}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl,
    from, recipient: { id: '28:bot', name: 'Bot' }, conversation: { id: `a:${from.id}`, conversationType: 'personal', tenantId: 't' }, text,
  };
}
