import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../atomicWrite';
import { ensureStateDir } from '../stateDir';
import { withFileLock } from '../fileLock';

/**
 * One gateway per state dir. Two gateways on one `.teams-bot/` would
 * interleave their appends to activities.jsonl and rotate it under each
 * other's feet, so the second one is refused with a message naming the first.
 *
 * The lock is a small JSON file, `gateway.lock`, saying who holds it (pid,
 * host name, port). It lives in the state dir itself, not in the OS temp dir:
 * the extension host and a terminal can see different temp dirs, but they
 * always agree on the state dir. Taking it creates the state dir, which is
 * fine: a running gateway is about to record there anyway.
 *
 * A gateway killed with SIGKILL cannot remove its file, so a holder whose
 * process no longer exists does not count: the next gateway takes over at
 * once. Every change to the file happens under a short mutex (the shared
 * src/core/fileLock.ts),
 * so two gateways starting together cannot both decide the old holder is gone
 * and both take over.
 */
export const GATEWAY_LOCK_FILE = 'gateway.lock';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** The port the holder listens on; the configured one until it has bound. */
  port?: number;
  url?: string;
  startedAt: string;
  /** Tells two holders in one process (or a reused pid) apart. */
  token: string;
  /** Linux: when the holder's process started (clock ticks after boot), so a pid reused by another process is not taken for it. */
  processStart?: string;
}

/** A second gateway on a state dir that a running gateway holds. */
export class StateDirInUseError extends Error {
  constructor(readonly stateDir: string, readonly holder: LockHolder, readonly lockFile: string) {
    const where = holder.hostname === os.hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.hostname}`;
    const port = holder.port ? `port ${holder.port}` : 'still starting';
    const self = holder.pid === process.pid && holder.hostname === os.hostname() ? ', in this same process' : '';
    super(
      `Another teams-bot-dev gateway (${where}, ${port}${self}) is already using the state dir ${stateDir}: ` +
        `stop that one first, or give this one its own state dir (--state-dir, or the teamsBot.stateDir setting). ` +
        `If no gateway runs as pid ${holder.pid}, delete ${lockFile}.`,
    );
    this.name = 'StateDirInUseError';
  }

  get pid(): number {
    return this.holder.pid;
  }

  get port(): number | undefined {
    return this.holder.port;
  }
}

/** Tokens of the locks this process holds: a holder with our pid but an unknown token is a dead process whose pid we reuse. */
const heldHere = new Set<string>();

export class StateDirLock {
  private released = false;

  private constructor(readonly stateDir: string, readonly file: string, private holder: LockHolder, private readonly fs?: typeof import('node:fs')) {}

  /**
   * Takes the state dir for this process, or throws StateDirInUseError naming the live holder.
   * `lockFs` stands in for node:fs in the mutex (proper-lockfile's `fs` option), for fault tests.
   */
  static async acquire(stateDir: string, info: { port?: number; url?: string } = {}, lockFs?: typeof import('node:fs')): Promise<StateDirLock> {
    const dir = path.resolve(stateDir);
    await ensureStateDir(dir);
    const file = path.join(dir, GATEWAY_LOCK_FILE);
    const holder: LockHolder = {
      pid: process.pid,
      hostname: os.hostname(),
      port: info.port || undefined,
      url: info.url,
      startedAt: new Date().toISOString(),
      token: randomBytes(8).toString('hex'),
      processStart: processStart(process.pid),
    };
    await withMutex(file, lockFs, async () => {
      const current = await readHolder(file);
      if (current && isAlive(current)) throw new StateDirInUseError(dir, current, file);
      await writeFileAtomic(file, `${JSON.stringify(holder, null, 2)}\n`, { mode: 0o644 });
    });
    heldHere.add(holder.token);
    return new StateDirLock(dir, file, holder, lockFs);
  }

  /** Records the bound port, so a refused second gateway can say where the first one listens. */
  async update(info: { port?: number; url?: string }): Promise<void> {
    if (this.released) return;
    this.holder = { ...this.holder, ...info };
    await withMutex(this.file, this.fs, async () => {
      const current = await readHolder(this.file);
      if (current?.token === this.holder.token) await writeFileAtomic(this.file, `${JSON.stringify(this.holder, null, 2)}\n`, { mode: 0o644 });
    });
  }

  /** Removes the file if it is still ours; safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.holder.token);
    await withMutex(this.file, this.fs, async () => {
      const current = await readHolder(this.file);
      if (current?.token === this.holder.token) await fsp.unlink(this.file).catch(() => undefined);
    });
  }
}

/** Undefined when there is no file, or it is unreadable (a holder could not have written it: it is written whole by rename). */
async function readHolder(file: string): Promise<LockHolder | undefined> {
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

function isAlive(holder: LockHolder): boolean {
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
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces; fields 3… follow the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** How long a second gateway waits for another's read-and-write of gateway.lock (a few ms) before giving up. */
const MUTEX_WAIT_MS = 2_000;

/** The shared file lock (src/core/fileLock.ts): a read-only state dir fails at once, not after seconds of retries. */
function withMutex<T>(file: string, fs: typeof import('node:fs') | undefined, fn: () => Promise<T>): Promise<T> {
  // Held for a read and a write only; one left by a crash in between is taken over after 5 s.
  return withFileLock(file, { lockWaitMs: MUTEX_WAIT_MS, staleMs: 5_000, fs }, fn);
}
