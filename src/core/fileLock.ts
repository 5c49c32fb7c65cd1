import * as lockfile from 'proper-lockfile';

/**
 * The one inter-process file lock of the project (pairing files, the
 * gateway's state-dir lock, config writes), on proper-lockfile.
 *
 * Why not proper-lockfile's own retries: they retry every error, so a
 * read-only state dir (EACCES on the lock directory) took ~9 to 20 s of
 * retries before failing, past the 15 s Teams waits for an answer. Only
 * "someone else holds the lock" (ELOCKED) can go away by waiting; every other
 * error fails at once, and the wait for a held lock is bounded by `lockWaitMs`.
 * Errors keep their errno `code` (ELOCKED for a lock held too long) for the
 * caller to describe.
 */
export interface FileLockOptions {
  /** How long to wait for a lock another process holds before giving up. */
  lockWaitMs: number;
  /** A holder that crashed leaves the lock directory behind; after this long it is taken over. */
  staleMs?: number;
  /** Node's fs or a stand-in with the same callbacks (proper-lockfile's documented `fs` option). */
  fs?: typeof import('node:fs');
  /** The default throws from a timer, which would take the whole process down. */
  onCompromised?: (err: Error) => void;
}

const DEFAULT_STALE_MS = 10_000;

/** Takes the lock of `file` (which need not exist), retrying only ELOCKED until lockWaitMs has passed; resolves to its release. */
export async function acquireFileLock(file: string, opts: FileLockOptions): Promise<() => Promise<void>> {
  const deadline = Date.now() + opts.lockWaitMs;
  let delay = 5;
  for (;;) {
    try {
      return await lockfile.lock(file, {
        // The file may not exist yet, and realpath would fail on it.
        realpath: false,
        stale: opts.staleMs ?? DEFAULT_STALE_MS,
        retries: 0,
        ...(opts.fs ? { fs: opts.fs } : {}),
        onCompromised: opts.onCompromised ?? (() => undefined),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() + delay > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 1.5, 100);
    }
  }
}

/** Runs fn while holding the lock of `file`; the release's own failure is ignored (the lock goes stale). */
export async function withFileLock<T>(file: string, opts: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireFileLock(file, opts);
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
