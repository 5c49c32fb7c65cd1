/** Child processes for the bench: spawn (optionally pinned to a core), wait for HTTP, read CPU time, stop. */
import { spawn, execFileSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
export { freePort } from '../../src/core/process/freePort';

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

let pinning: boolean | undefined;
export function canPin(): boolean {
  if (pinning === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      pinning = true;
    } catch {
      pinning = false;
    }
  }
  return pinning;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** CPU list for taskset, e.g. "0"; ignored when pinning is off or unavailable. */
  cpus?: string;
  /** Where stdout and stderr go: a file path, 'pipe', or 'ignore'. */
  output?: string | 'pipe' | 'ignore';
  ipc?: boolean;
  cwd?: string;
}

export function spawnProc(name: string, command: string, args: string[], opts: SpawnOptions = {}): Proc {
  const pin = opts.cpus !== undefined && canPin();
  const [cmd, argv] = pin ? ['taskset', ['-c', opts.cpus!, command, ...args]] : [command, args];
  let out: 'ignore' | 'pipe' | number = 'ignore';
  let fd: number | undefined;
  if (opts.output === 'pipe') out = 'pipe';
  else if (opts.output && opts.output !== 'ignore') out = fd = fs.openSync(opts.output, 'a');
  const stdio: StdioOptions = ['pipe', out, opts.output === 'pipe' ? 'inherit' : out, ...(opts.ipc ? ['ipc' as const] : [])];
  // taskset execs the command, so the pid is the command's own.
  const child = spawn(cmd, argv, { env: { ...process.env, ...opts.env }, stdio, cwd: opts.cwd });
  if (fd !== undefined) fs.closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    pid: child.pid!,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** First line of a piped stdout, parsed as JSON when it looks like JSON. */
export function firstLine(proc: Proc, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${proc.name}: no output within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      proc.child.stdout!.off('data', onData);
      proc.child.stdout!.resume();
      resolve(buf.slice(0, nl));
    };
    proc.child.stdout!.on('data', onData);
    proc.exited.then((code) => reject(new Error(`${proc.name} exited (${code}) before printing anything`)));
  });
}

/** One request; resolves with the status, or 0 on a connection error. */
export function httpRequest(url: string, method = 'GET', body?: Buffer, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent: false, headers: body ? { 'content-type': 'application/json', 'content-length': body.length, ...headers } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

/** Polls until something answers HTTP at url (any status). */
export async function waitForHttp(url: string, timeoutMs = 30_000, intervalMs = 20, proc?: Proc): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await httpRequest(url)).status > 0) return;
    if (proc && proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode} before answering ${url}`);
    if (Date.now() > deadline) throw new Error(`nothing answered ${url} within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}


let ticks: number | undefined;
/** User + system CPU time of a live process in ms, from /proc (Linux only; undefined elsewhere). */
export function cpuMs(pid: number): number | undefined {
  try {
    ticks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
  } catch {
    return undefined;
  }
}

/** Resident set size of a live process in bytes, from /proc. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
