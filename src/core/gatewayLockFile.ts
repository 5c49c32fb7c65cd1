/**
 * Reading gateway.lock, the file by which one gateway holds a state dir (the
 * taking and releasing are gateway/stateDirLock.ts). Here, at the root of
 * core, so that whoever asks "does a gateway run on this state dir, and
 * where does it listen?" (the Delivery Check) need not import the gateway.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const GATEWAY_LOCK_FILE = 'gateway.lock';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** The port the holder listens on; the configured one until it has bound. */
  port?: number;
  url?: string;
  /**
   * Where the holder forwards accepted activities: the config's bot after `serve --bot-url` / `--echo`,
   * or F5's bot while a debug session runs. The Delivery Check's bot hop checks this one.
   */
  bot?: { url?: string; echo?: boolean };
  startedAt: string;
  /** Tells two holders in one process (or a reused pid) apart. */
  token: string;
  /** Linux: when the holder's process started (clock ticks after boot), so a pid reused by another process is not taken for it. */
  processStart?: string;
}

/** Tokens of the locks this process holds: a holder with our pid but an unknown token is a dead process whose pid we reuse. */
export const heldHere = new Set<string>();

/**
 * The gateway that holds the state dir, when one runs on this machine: its pid and, once it listens, the port
 * and URL it bound, which `serve --port`, the extension's settings or port 0 can make differ from the config's.
 * Undefined when no file, an unreadable one, a holder that is gone, or one on another machine (its port is
 * not reachable here). Read without the mutex: the file is always written whole (rename).
 */
export async function runningGateway(stateDir: string): Promise<LockHolder | undefined> {
  const holder = await readHolder(path.join(path.resolve(stateDir), GATEWAY_LOCK_FILE)).catch(() => undefined);
  return holder && holder.hostname === os.hostname() && isAlive(holder) ? holder : undefined;
}

/** Undefined when there is no file, or it is unreadable (a holder could not have written it: it is written whole by rename). */
export async function readHolder(file: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.hostname !== 'string' || typeof value.token !== 'string') return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

export function isAlive(holder: LockHolder): boolean {
  // Another machine (a shared network drive): its processes cannot be checked from here, so it counts as alive.
  if (holder.hostname !== os.hostname()) return true;
  if (holder.pid === process.pid) return heldHere.has(holder.token);
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A container restarted after a SIGKILL hands out the same small pids again: the pid alone can name another program.
  const started = holder.processStart === undefined ? undefined : processStart(holder.pid);
  return started === undefined || started === holder.processStart;
}

/** Field 22 of /proc/<pid>/stat (start time); undefined where there is no /proc. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces; fields 3… follow the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
