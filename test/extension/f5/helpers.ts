/**
 * What the F5 suite knows about its workspace (prepared by
 * test/extension/runF5InVsCode.ts and passed in TEAMS_BOT_DEV_F5_* variables),
 * and small tools: the stand-ins' state and call logs, scenarios, ports,
 * debug session tracking and process checks.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../suite/helpers';

export { api, waitFor, postActivity, dm, workspaceDir } from '../suite/helpers';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this suite with test/extension/runF5InVsCode.ts`);
  return value;
}

export const F5 = {
  get aux() { return required('TEAMS_BOT_DEV_F5_AUX'); },
  get bin() { return required('TEAMS_BOT_DEV_F5_BIN'); },
  get webhookPort() { return Number(required('TEAMS_BOT_DEV_F5_WEBHOOK_PORT')); },
  get botPort() { return Number(required('TEAMS_BOT_DEV_F5_BOT_PORT')); },
  get botEnvFile() { return required('TEAMS_BOT_DEV_F5_BOT_ENV'); },
  /** Where the sample bot writes `{ pid, port, at }` when it listens (f5Workspace.ts). */
  get botListeningFile() { return required('TEAMS_BOT_DEV_F5_BOT_LISTENING'); },
  get tunnelId() { return required('TEAMS_BOT_DEV_F5_TUNNEL_ID'); },
  get teamsAppId() { return required('TEAMS_BOT_DEV_F5_TEAMS_APP_ID'); },
  get appId() { return required('TEAMS_BOT_DEV_F5_APP_ID'); },
  get allowedAad() { return required('TEAMS_BOT_DEV_F5_ALLOWED_AAD'); },
  /** The URL the stand-in `devtunnel host` prints for the webhook port when FAKE_DEVTUNNEL_URL is unset. */
  get defaultTunnelUrl() { return `https://${this.tunnelId}-${this.webhookPort}.euw.devtunnels.ms`; },
  get simulatorUrl() { return `http://127.0.0.1:${this.webhookPort}/_simulator`; },
  get webhookUrl() { return `http://127.0.0.1:${this.webhookPort}/api/messages`; },
};

export function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('the F5 suite needs its workspace folder open');
  return f;
}

export function configFile(): string {
  return path.join(folder().uri.fsPath, 'teams-bot.config.json');
}

/** Back to the prepared folder: the config as written by the runner (plus `extra`), fresh stand-in state, empty call logs. */
export function resetWorkspace(extra: Record<string, unknown> = {}): void {
  const initial = JSON.parse(fs.readFileSync(path.join(F5.aux, 'config.initial.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(configFile(), `${JSON.stringify({ ...initial, ...extra }, null, 2)}\n`);
  for (const name of ['devtunnel-state', 'teams-state']) {
    fs.copyFileSync(path.join(F5.aux, `${name}.initial.json`), path.join(F5.aux, `${name}.json`));
  }
  for (const log of ['devtunnel-log.jsonl', 'teams-log.jsonl']) fs.writeFileSync(path.join(F5.aux, log), '');
  fs.rmSync(F5.botEnvFile, { force: true });
}

export function teamsState(): { loggedIn: boolean; apps: Record<string, { endpoint: string | null; validDomains: string[]; version: string }> } {
  return JSON.parse(fs.readFileSync(path.join(F5.aux, 'teams-state.json'), 'utf8'));
}

/** One entry per invocation of the stand-in, in order: its arguments. */
export function calls(tool: 'teams' | 'devtunnel'): string[][] {
  const file = path.join(F5.aux, `${tool}-log.jsonl`);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv);
}

export function callsStartingWith(tool: 'teams' | 'devtunnel', ...prefix: string[]): string[][] {
  return calls(tool).filter((argv) => prefix.every((p, i) => argv[i] === p));
}

/** Sets FAKE_* (or any) variables for the CLIs the extension spawns from here on; returns the undo. */
export function withEnv(vars: Record<string, string | undefined>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  apply(vars);
  return () => apply(before);
}

/** Sets a teamsBot.* setting in the folder's .vscode/settings.json (where the runner names the stand-ins); returns the undo. */
export async function withSetting(key: string, value: unknown): Promise<() => Promise<void>> {
  const section = () => vscode.workspace.getConfiguration('teamsBot', folder().uri);
  const before = section().inspect(key)?.workspaceValue;
  await section().update(key, value, vscode.ConfigurationTarget.Workspace);
  await waitFor(`setting teamsBot.${key}`, () => section().get(key) === value);
  return async () => {
    await section().update(key, before, vscode.ConfigurationTarget.Workspace);
    await waitFor(`setting teamsBot.${key} restored`, () => section().inspect(key)?.workspaceValue === before);
  };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Holds a port, as another program would. */
export async function occupy(port: number): Promise<{ close(): Promise<void> }> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Processes running the stand-in `devtunnel host` (from /proc; Linux). */
export function devtunnelHostPids(): number[] {
  const stand = path.join(F5.bin, 'devtunnel');
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = argv.findIndex((a) => a === stand);
    if (at >= 0 && argv[at + 1] === 'host') pids.push(Number(entry));
  }
  return pids;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every debug session started and ended from the moment of the call. */
export class SessionWatch implements vscode.Disposable {
  readonly started: vscode.DebugSession[] = [];
  readonly ended: vscode.DebugSession[] = [];
  private readonly subs: vscode.Disposable[];

  constructor() {
    this.subs = [
      vscode.debug.onDidStartDebugSession((s) => this.started.push(s)),
      vscode.debug.onDidTerminateDebugSession((s) => this.ended.push(s)),
    ];
  }

  /** The session F5 launched (its configuration carries the provider's marker), once started. */
  f5Session(): vscode.DebugSession | undefined {
    return this.started.find((s) => typeof s.configuration.__teamsBotSession === 'string');
  }

  allEnded(): boolean {
    return this.started.every((s) => this.ended.some((e) => e.id === s.id));
  }

  describe(): string {
    return JSON.stringify({ started: this.started.map((s) => `${s.type}:${s.name}`), ended: this.ended.map((s) => `${s.type}:${s.name}`) });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
