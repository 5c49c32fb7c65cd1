/**
 * Runs the built CLI (dist/cli.js) as a real child process: one-shot commands
 * with their exit code and output, and `serve` as a long-running process in
 * its own process group, read line by line. Also small helpers every
 * process-level test needs: temp dirs, free ports, polling.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
export { freePort } from '../../src/core/process/freePort';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI_JS = path.join(REPO_ROOT, 'dist', 'cli.js');

let built = false;

/**
 * Builds dist/ from the current sources, once per test process (`node esbuild.mjs`,
 * the same build as `npm run build`), so the CLI and end-to-end tests never run a
 * stale dist/cli.js left from an earlier build. Synchronous, so every caller (a
 * `before` hook, runCli, spawnServe) is covered whether or not it awaits; the
 * first call takes seconds (more on a busy machine), the rest nothing.
 * esbuild.mjs renames finished files into place, so a concurrent run never
 * sees half a file.
 */
export function requireBuiltCli(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'esbuild.mjs')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 5 * 60_000 });
  if (r.status !== 0) {
    throw new Error(`building dist/ for the CLI tests failed (node esbuild.mjs: ${r.error?.message ?? `exit ${r.status ?? r.signal}`}):\n${r.stdout}${r.stderr}`);
  }
  built = true;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Environment for child processes: no inherited log level or app password
 * that could change what they print. What a test passes in `extra` (say
 * MSTEAMS_APP_PASSWORD for a credential test) is its choice and is kept.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) {
    if (name.startsWith('MSTEAMS_') || name === 'TEAMS_BOT_DEV_LOG_LEVEL') delete env[name];
  }
  return { ...env, ...extra };
}

/** Runs `node dist/cli.js ...args` to completion (killed after timeoutMs). */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  requireBuiltCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`teams-bot-dev ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A log line of the CLI's console logger: "HH:MM:SS.mmm LEVEL message". */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  raw: string;
  level?: string;
  message: string;
}

const LOG_LINE = /^\d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO|WARN|ERROR)\s+(.*)$/;

/**
 * A long-running child in its own process group (so everything it started
 * can be signalled at once), with its output split into lines.
 */
export class LineProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  private waiters: (() => void)[] = [];

  constructor(readonly name: string, readonly child: ChildProcess) {
    for (const stream of ['stdout', 'stderr'] as const) {
      let buffer = '';
      child[stream]!.setEncoding('utf8').on('data', (d: string) => {
        buffer += d;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          this.push(stream, buffer.slice(0, nl).replace(/\r$/, ''));
          buffer = buffer.slice(nl + 1);
        }
      });
      child[stream]!.on('end', () => {
        if (buffer) this.push(stream, buffer);
        buffer = '';
      });
    }
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        this.notify();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  get stdout(): string {
    return this.lines.filter((l) => l.stream === 'stdout').map((l) => l.raw).join('\n');
  }

  get stderr(): string {
    return this.lines.filter((l) => l.stream === 'stderr').map((l) => l.raw).join('\n');
  }

  /** Log messages (time and level stripped), in order. */
  messages(): string[] {
    return this.lines.map((l) => l.message);
  }

  /** Resolves with the first line (already seen or future) matching; rejects on timeout or exit. */
  waitForLine(pred: RegExp | ((line: LogLine) => boolean), timeoutMs = 20_000, from = 0): Promise<LogLine> {
    const test = typeof pred === 'function' ? pred : (l: LogLine) => pred.test(l.raw);
    return this.waitUntil(() => this.lines.slice(from).find(test), `a line matching ${String(pred)}`, timeoutMs);
  }

  /** Polls `check` on every new line and exit; resolves with its first defined result. */
  waitUntil<T>(check: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const value = check();
        if (value !== undefined) {
          finish();
          resolve(value);
          return true;
        }
        if (!this.alive) {
          finish();
          reject(new Error(`${this.name} exited (${JSON.stringify(this.exitInfo)}) before ${what}\n${this.output()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} from ${this.name}\n${this.output()}`));
      }, timeoutMs);
      const waiter = () => void attempt();
      const finish = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      if (!attempt()) this.waiters.push(waiter);
    });
  }

  output(): string {
    return this.lines.map((l) => `[${this.name} ${l.stream}] ${l.raw}`).join('\n');
  }

  /** Sends a signal to the whole process group. */
  signal(sig: NodeJS.Signals): void {
    if (!this.alive) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      /* already gone */
    }
  }

  /** SIGTERM to the group, SIGKILL after graceMs; resolves when the child has exited and its group is empty. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.alive) {
      this.signal('SIGTERM');
      const killer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(killer);
    }
    // Grandchildren (if any) share the group: make sure none is left behind.
    const end = Date.now() + graceMs;
    while (groupAlive(this.pid)) {
      if (Date.now() > end) {
        try {
          process.kill(-this.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        break;
      }
      await sleep(50);
    }
  }

  private push(stream: 'stdout' | 'stderr', raw: string): void {
    const m = LOG_LINE.exec(raw);
    this.lines.push(m ? { stream, raw, level: m[1], message: m[2] } : { stream, raw, message: raw });
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** True while any process of the group led by pgid exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Spawns a command detached (a new process group), with piped output. */
export function spawnLines(name: string, command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): LineProcess {
  const child = spawn(command, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  return new LineProcess(name, child);
}

/** `node dist/cli.js serve ...args`, running until stopped. */
export function spawnServe(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): LineProcess {
  requireBuiltCli();
  return spawnLines('serve', process.execPath, [CLI_JS, 'serve', ...args], { cwd: opts.cwd, env: childEnv(opts.env) });
}

/** Starts serve and waits for its "Listening on URL" line; returns the process and the URL. */
export async function startServe(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ serve: LineProcess; url: string; port: number }> {
  const serve = spawnServe(args, opts);
  try {
    const line = await serve.waitForLine(/^Listening on http:\/\/\S+$/, opts.timeoutMs ?? 20_000);
    const url = line.raw.slice('Listening on '.length);
    return { serve, url, port: Number(new URL(url).port) };
  } catch (err) {
    await serve.stop();
    throw err;
  }
}


export async function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls an async or sync predicate until it returns a defined, non-false value. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Posts JSON with fetch and returns status, parsed body and headers. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
