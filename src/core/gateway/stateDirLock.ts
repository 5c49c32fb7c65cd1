import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../atomicWrite';
import { ensureStateDir } from '../stateDir';
import { withFileLock } from '../fileLock';
import { GATEWAY_LOCK_FILE, heldHere, isAlive, processStart, readHolder, type LockHolder } from '../gatewayLockFile';

export { GATEWAY_LOCK_FILE, runningGateway, type LockHolder } from '../gatewayLockFile';

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

  /** Records the bound port (so a refused second gateway can say where the first one listens) and the bot forwarded to. */
  async update(info: Pick<LockHolder, 'port' | 'url' | 'bot'>): Promise<void> {
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

/** How long a second gateway waits for another's read-and-write of gateway.lock (a few ms) before giving up. */
const MUTEX_WAIT_MS = 2_000;

/** The shared file lock (src/core/fileLock.ts): a read-only state dir fails at once, not after seconds of retries. */
function withMutex<T>(file: string, fs: typeof import('node:fs') | undefined, fn: () => Promise<T>): Promise<T> {
  // Held for a read and a write only; one left by a crash in between is taken over after 5 s.
  return withFileLock(file, { lockWaitMs: MUTEX_WAIT_MS, staleMs: 5_000, fs }, fn);
}
