import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { acquireFileLock } from '../fileLock';
import type { Logger } from '../logger';
import { ensureStateDir } from '../stateDir';

/**
 * The one way the pairing files in the state dir (pairing.json, allowFrom.json)
 * are locked between processes, and the one way their faults are described.
 *
 * The lock is the shared one (src/core/fileLock.ts): only a held lock is
 * waited for, bounded by `lockWaitMs`; every other error fails at once.
 */
export interface StateLockOptions {
  /** How long to wait for a lock another process holds before giving up. */
  lockWaitMs: number;
  logger: Logger;
  /** Node's fs or a stand-in with the same callbacks (proper-lockfile's documented `fs` option). */
  fs?: typeof import('node:fs');
}

/** Small enough to answer Teams well within its 15 s, big enough for a peer's write (a few ms) under load. */
export const DEFAULT_LOCK_WAIT_MS = 2_000;

/** A lock holder that crashed leaves the lock directory behind; after this long it is taken over. */
const STALE_MS = 10_000;

/**
 * A state file could not be read, locked or written. `message` is one
 * sentence saying what failed and what to do; `code` is the errno (or
 * ELOCKED for a lock held by another process).
 */
export class StateFileError extends Error {
  constructor(readonly file: string, readonly code: string, readonly operation: 'lock' | 'read' | 'write', cause: unknown) {
    super(describeFault(file, code, operation, cause));
    this.name = 'StateFileError';
  }
}

export function isStateFileError(err: unknown): err is StateFileError {
  return err instanceof StateFileError;
}

/** Runs fn while holding the inter-process lock of `file`; throws StateFileError when the lock cannot be had. */
export async function withStateLock<T>(file: string, opts: StateLockOptions, fn: () => Promise<T>): Promise<T> {
  const dir = path.dirname(file);
  try {
    await ensureStateDir(dir);
  } catch (err) {
    throw new StateFileError(file, errCode(err), 'lock', err);
  }
  const release = await acquire(file, opts);
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/** The shared file lock (src/core/fileLock.ts), its failure described as a StateFileError. */
async function acquire(file: string, opts: StateLockOptions): Promise<() => Promise<void>> {
  try {
    return await acquireFileLock(file, {
      lockWaitMs: opts.lockWaitMs,
      staleMs: STALE_MS,
      fs: opts.fs,
      onCompromised: (err) => opts.logger.warn(`pairing: lock on ${file} was lost (${errText(err)}); a concurrent change may be overwritten`),
    });
  } catch (err) {
    throw new StateFileError(file, errCode(err), 'lock', err);
  }
}

/** What a state file holds: nothing yet, a parsed state, or text its parser refused (kept, so it can be moved aside). */
export type StateFileRead<S> =
  | { kind: 'missing' }
  | { kind: 'ok'; state: S; raw: string }
  | { kind: 'corrupt'; raw: string; why: string };

/** Reads and parses one state file; a missing file is not a fault, any other fs error is a StateFileError. */
export async function readStateFile<S>(
  file: string,
  parse: (raw: string) => { ok: true; state: S } | { ok: false; why: string },
): Promise<StateFileRead<S>> {
  let raw: string;
  try {
    raw = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw stateFileFault(file, 'read', err);
  }
  const parsed = parse(raw);
  return parsed.ok ? { kind: 'ok', state: parsed.state, raw } : { kind: 'corrupt', raw, why: parsed.why };
}

/** Wraps an fs failure of a read or write as a StateFileError (ENOENT on read is the caller's business). */
export function stateFileFault(file: string, operation: 'read' | 'write', err: unknown): StateFileError {
  return err instanceof StateFileError ? err : new StateFileError(file, errCode(err), operation, err);
}

function describeFault(file: string, code: string, operation: 'lock' | 'read' | 'write', cause: unknown): string {
  const dir = path.dirname(file);
  const verb = operation === 'lock' ? 'lock' : operation;
  switch (code) {
    case 'ELOCKED':
      return `Cannot ${verb} ${file}: another process holds its lock (${file}.lock). If no other teams-bot-dev is running, delete ${file}.lock and try again.`;
    case 'EACCES':
    case 'EPERM':
      return `Cannot ${verb} ${file}: permission denied. Make ${operation === 'read' ? `${file} readable and ${dir}` : dir} writable for this user (or point --state-dir / teamsBot.stateDir elsewhere).`;
    case 'EROFS':
      return `Cannot ${verb} ${file}: ${dir} is on a read-only file system. Point --state-dir / teamsBot.stateDir at a writable directory.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `Cannot ${verb} ${file}: the disk is full. Free some space on the disk holding ${dir}.`;
    case 'EISDIR':
      return `Cannot ${verb} ${file}: it is a directory. Move that directory out of the way so the file can be created.`;
    case 'ENOTDIR':
      return `Cannot ${verb} ${file}: a part of ${dir} is a file, not a directory. Remove it or point --state-dir / teamsBot.stateDir elsewhere.`;
    default:
      return `Cannot ${verb} ${file} (${code}: ${errText(cause)}). Check ${dir} and its permissions.`;
  }
}

function errCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
