import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { TypedEmitter } from '../typedEmitter';
import { type Logger, silentLogger } from '../logger';
import type { PairingFile, PairingMeta, PairingOutcome, PairingRequest } from './pairingRequest';
import { writeFileAtomic } from '../atomicWrite';
import { definedOnly } from '../definedOnly';
import { generatePairingCode, normalizePairingCode } from './pairingCode';
import { AllowStore, ALLOW_FILE_NAME, type ApprovedSender, type Undo } from './allowStore';
import { DEFAULT_LOCK_WAIT_MS, readStateFile, stateFileFault, withStateLock, type StateFileRead } from './stateFile';

export interface PairingStoreOptions {
  file: string;
  ttlMinutes: number;
  maxPending: number;
  logger?: Logger;
  now?: () => Date;
  /** How long a write waits for a lock another process holds (default 2 s; Teams waits 15 s for an answer). */
  lockWaitMs?: number;
  /** The fs the lock uses (proper-lockfile's `fs` option): tests stand in a slow or failing disk. */
  lockFs?: typeof import('node:fs');
}

export type PairingEvents = {
  /** A new request was created (here or by another process). */
  requested: PairingRequest;
  /** A request left the pending list: approved, rejected or expired (here or elsewhere). */
  resolved: { request: PairingRequest; outcome: PairingOutcome };
  /** The pending list changed in any way; the payload is the new list, oldest first. */
  changed: PairingRequest[];
  /** The DM-only approved senders (allowFrom.json) changed, here or in another process. */
  approvedChanged: ApprovedSender[];
};

/**
 * What one message from an unpaired sender did. 'approved': by the time the
 * write held the lock, an approval (possibly by another process) had let the
 * sender in, so no new code was issued.
 */
export type TouchResult =
  | { kind: 'created' | 'existing'; request: PairingRequest }
  | { kind: 'full'; pending: number }
  | { kind: 'approved' };

/**
 * The result of approving a code. 'already-approved': another process (or an
 * earlier click) approved it first; nothing was changed and nobody is to be
 * told twice.
 */
export type ApproveOutcome =
  | { kind: 'approved'; request: PairingRequest; sender: ApprovedSender; added: boolean }
  | { kind: 'already-approved'; id: string; code: string; at: string }
  | { kind: 'not-found' };

/** One entry of the resolution tail kept in pairing.json. */
export interface ResolvedPairing {
  id: string;
  code: string;
  outcome: PairingOutcome;
  at: string;
}

/**
 * pairing.json as this store writes it. Still version 1: `recent` is optional
 * and readers that do not know it ignore it. It exists because a process that
 * watches the file (the gateway, while the CLI approves) sees a request vanish
 * but cannot tell from the list alone whether it was approved, rejected or
 * expired. The newest RECENT_LIMIT resolutions are kept, oldest first.
 */
export interface PairingFileOnDisk extends PairingFile {
  recent?: ResolvedPairing[];
}

export const RECENT_LIMIT = 50;

/** How often watch() stats the file; fs.watch misses events on network drives, WSL mounts and some containers. */
const POLL_MS = 400;
/** Coalesces the burst of watch events one rename produces. */
const WATCH_DEBOUNCE_MS = 20;
// Repeat messages from a pending sender are saved at most this often.
const FLUSH_MS = 250;

/** The parsed content of pairing.json. */
export interface PairingFileState {
  requests: PairingRequest[];
  recent: ResolvedPairing[];
}

type ReadResult = StateFileRead<PairingFileState>;

type PendingEvent =
  | { name: 'requested'; payload: PairingRequest }
  | { name: 'resolved'; payload: { request: PairingRequest; outcome: PairingOutcome } }
  | { name: 'changed'; payload: PairingRequest[] };

/**
 * The pending pairing requests, shared between processes through one JSON
 * file. Every mutation is read-modify-write under an inter-process lock, so
 * the gateway recording a new sender and the CLI approving another cannot
 * lose each other's update.
 */
export class PairingStore extends TypedEmitter<PairingEvents> {
  /** Senders let in by an approval: personal chats only (see pairing/allowStore.ts). */
  readonly approved: AllowStore;
  private readonly file: string;
  private readonly dir: string;
  private ttlMs: number;
  private maxPending: number;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly lockWaitMs: number;
  private readonly lockFs?: typeof import('node:fs');
  /** Senders whose auto-reply is being sent right now: claimed once, so the code goes out once. */
  private readonly replying = new Set<string>();

  /** Pending and not known to be expired, oldest first. */
  private requests: PairingRequest[] = [];
  /** The file content this memory reflects; lets the watcher skip no-op reloads. */
  private lastRaw: string | undefined;
  private lastStatKey = '';
  private lastAllowStatKey = '';
  private loaded = false;
  /** In-process serialisation; the file lock only arbitrates between processes. */
  private queue: Promise<unknown> = Promise.resolve();

  private watcher: fs.FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private watching = false;
  private watchFailed = false;
  /** Repeat messages from pending senders not yet on disk: written in one batch, not one locked write each. */
  private unsaved = new Map<string, UnsavedChange>();
  private readonly createQueue: CreateWaiter[] = [];
  private readonly creating = new Map<string, Promise<TouchResult>>();
  private flushTimer?: NodeJS.Timeout;

  constructor(opts: PairingStoreOptions) {
    super();
    this.file = path.resolve(opts.file);
    this.dir = path.dirname(this.file);
    this.ttlMs = opts.ttlMinutes * 60_000;
    this.maxPending = opts.maxPending;
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? (() => new Date());
    this.lockWaitMs = opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
    this.lockFs = opts.lockFs;
    this.approved = new AllowStore({ file: path.join(this.dir, ALLOW_FILE_NAME), logger: this.logger, lockWaitMs: this.lockWaitMs });
    this.approved.on('changed', (list) => this.emit('approvedChanged', list));
  }

  /** True when an approved pairing let this sender into personal chats. */
  isApproved(from: { id: string; aadObjectId?: string }): boolean {
    return this.approved.isApproved(from);
  }

  async load(): Promise<void> {
    await this.serial(async () => {
      let read = await this.readFile();
      if (read.kind === 'corrupt') read = await this.recoverCorrupt();
      const state = read.kind === 'ok' ? read.state : emptyState();
      const events = this.adopt(state, read.kind === 'ok' ? read.raw : undefined, !this.loaded);
      this.loaded = true;
      await this.rememberStat();
      this.emitAll(events);
    });
    await this.approved.refresh();
  }

  list(): PairingRequest[] {
    this.purgeMemory();
    return this.requests.map(clone);
  }

  /** How many requests are pending, without copying them (the request path asks on every DM). */
  pendingCount(): number {
    this.purgeMemory();
    return this.requests.length;
  }

  has(senderId: string): boolean {
    this.purgeMemory();
    return this.requests.some((r) => r.id === senderId);
  }

  getByCode(code: string): PairingRequest | undefined {
    this.purgeMemory();
    const wanted = normalizePairingCode(code);
    const found = this.requests.find((r) => r.code === wanted);
    return found && clone(found);
  }

  getBySender(senderId: string): PairingRequest | undefined {
    this.purgeMemory();
    const found = this.requests.find((r) => r.id === senderId);
    return found && clone(found);
  }

  touch(sender: { id: string; meta: Omit<PairingMeta, 'count'> }): Promise<TouchResult> {
    this.purgeMemory();
    const pending = this.loaded ? this.requests.find((r) => r.id === sender.id) : undefined;
    if (pending) {
      // A repeat message changes only the count and when we last heard from them:
      // memory now, disk with the next batch (or the next mutation, whichever is first).
      const at = this.now().toISOString();
      const meta = definedOnly(sender.meta);
      pending.lastSeenAt = at;
      pending.meta = { ...pending.meta, ...meta, count: pending.meta.count + 1 };
      const prior = this.unsaved.get(sender.id);
      this.unsaved.set(sender.id, { ...prior, lastSeenAt: at, count: (prior?.count ?? 0) + 1, meta: { ...prior?.meta, ...meta } });
      this.scheduleFlush();
      return Promise.resolve({ kind: 'existing', request: clone(pending) });
    }
    const inflight = this.creating.get(sender.id);
    if (inflight) return inflight.then(() => this.touch(sender));
    const result = new Promise<TouchResult>((resolve, reject) => this.createQueue.push({ sender, resolve, reject }));
    this.creating.set(sender.id, result);
    const forget = () => this.creating.delete(sender.id);
    result.then(forget, forget);
    if (this.createQueue.length === 1) this.commitCreates();
    return result;
  }

  /**
   * New senders arriving while a write is under way go into the next write
   * together: one lock, one read and one fsync for the whole group.
   */
  private commitCreates(): void {
    let batch: CreateWaiter[] | undefined;
    this.mutate(async (state, now) => {
      // An approval writes allowFrom.json before it removes the request from
      // pairing.json, under this same lock: reading it here, while holding the
      // lock, means a sender approved a moment ago is never issued a new code.
      await this.approved.refresh();
      batch = this.createQueue.splice(0);
      return batch.map((waiter): TouchResult => {
        const approved = !state.requests.some((r) => r.id === waiter.sender.id) && this.approved.isApproved({ id: waiter.sender.id, aadObjectId: waiter.sender.meta.aadObjectId });
        return approved ? { kind: 'approved' } : applyTouch(state, now, waiter.sender, this.maxPending);
      });
    }).then(
      (results) => batch!.forEach((waiter, i) => waiter.resolve(results[i])),
      (err: unknown) => (batch ?? this.createQueue.splice(0)).forEach((waiter) => waiter.reject(err)),
    );
  }

  /**
   * Claims the auto-reply for this sender's pending request: true exactly once
   * per request (until released unsent), however many of their messages are in
   * flight. It checks the live request, not a copy a message got earlier, so a
   * reply that finished a moment ago is seen.
   */
  claimReply(senderId: string, code: string): boolean {
    const request = this.requests.find((r) => r.id === senderId && r.code === code);
    if (!request || request.repliedAt || this.replying.has(senderId)) return false;
    this.replying.add(senderId);
    return true;
  }

  /** Ends a claim: sent marks the request replied (so it is never sent again); unsent lets the next message try again. */
  releaseReply(senderId: string, sent: boolean): void {
    if (sent) this.markReplied(senderId);
    this.replying.delete(senderId);
  }

  /** Saved with the next batch: the in-memory mark is what stops a second reply. */
  markReplied(senderId: string): void {
    const request = this.requests.find((r) => r.id === senderId);
    if (!request) return;
    const at = this.now().toISOString();
    request.repliedAt = at;
    const prior = this.unsaved.get(senderId);
    this.unsaved.set(senderId, { lastSeenAt: prior?.lastSeenAt ?? request.lastSeenAt, count: prior?.count ?? 0, meta: prior?.meta ?? {}, repliedAt: at });
    this.scheduleFlush();
  }

  /**
   * Approves a pending code, all or nothing: under pairing.json's lock, the
   * sender goes into allowFrom.json first, then the request leaves
   * pairing.json. If that second write fails, the entry added is removed
   * again before the lock is released, so the request stays pending and
   * nobody is half approved. A code that was
   * approved already (by another process at the same moment, say) is
   * reported as such and changes nothing.
   */
  approve(code: string, approvedBy: string): Promise<ApproveOutcome> {
    const wanted = normalizePairingCode(code);
    let undo: Undo | undefined;
    return this.mutate(async (state, now): Promise<ApproveOutcome> => {
      const index = state.requests.findIndex((r) => r.code === wanted);
      if (index < 0) {
        const prior = [...state.recent].reverse().find((r) => r.code === wanted);
        return prior?.outcome === 'approved' ? { kind: 'already-approved', id: prior.id, code: prior.code, at: prior.at } : { kind: 'not-found' };
      }
      const request = state.requests[index];
      const sender = approvedSenderOf(request, now, approvedBy);
      const { added, undo: undoAllow } = await this.approved.add(sender);
      undo = undoAllow;
      state.requests.splice(index, 1);
      pushRecent(state, { id: request.id, code: request.code, outcome: 'approved', at: now.toISOString() });
      return { kind: 'approved', request: clone(request), sender, added };
    }, async (err) => {
      if (!undo) return;
      await undo().catch((undoErr: unknown) => {
        this.logger.error(`pairing: approving ${wanted} failed (${errText(err)}) and undoing its entry in ${this.approved.file} failed too (${errText(undoErr)}): remove that entry by hand (teams-bot-dev pairing revoke).`);
      });
    });
  }

  /**
   * Removes a pending request as rejected, nothing else. An approval must go
   * through approve() (via pairingActions), which also lets the sender in:
   * recording 'approved' here would leave them outside with their request gone.
   */
  resolve(code: string, outcome: 'rejected'): Promise<PairingRequest | undefined> {
    const wanted = normalizePairingCode(code);
    return this.mutate((state, now) => {
      const index = state.requests.findIndex((r) => r.code === wanted);
      if (index < 0) return undefined;
      const [request] = state.requests.splice(index, 1);
      pushRecent(state, { id: request.id, code: request.code, outcome, at: now.toISOString() });
      return clone(request);
    });
  }

  setLimits(limits: { ttlMinutes: number; maxPending: number }): void {
    this.ttlMs = limits.ttlMinutes * 60_000;
    this.maxPending = limits.maxPending;
    this.purgeMemory();
  }

  watch(): void {
    if (this.watching) return;
    this.watching = true;
    this.watchDir();
    this.pollTimer = setInterval(() => void this.poll(), POLL_MS);
    this.pollTimer.unref();
  }

  /**
   * Watching never creates the state dir (see stateDir.ts): until it exists,
   * polling alone notices the first write, and poll() calls this again.
   */
  private watchDir(): void {
    if (this.watcher || this.watchFailed || !fs.existsSync(this.dir)) return;
    const base = path.basename(this.file);
    try {
      // The directory, not the file: writes replace the file by rename, which
      // leaves a watcher on the old inode deaf.
      this.watcher = fs.watch(this.dir, { persistent: false }, (_event, name) => {
        if (name?.toString() === ALLOW_FILE_NAME) return void this.refreshApproved();
        if (name && name.toString() !== base) return;
        this.scheduleReload(WATCH_DEBOUNCE_MS);
      });
      this.watcher.on('error', (err) => {
        this.logger.debug(`pairing: watching ${this.dir} failed (${errText(err)}); polling only`);
        this.watchFailed = true;
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      this.watchFailed = true;
      this.logger.debug(`pairing: cannot watch ${this.dir} (${errText(err)}); polling only`);
    }
  }

  /** Writes batched repeat-message counts now; the gateway calls it before it stops. */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    // Wait for a write already under way too: the caller (stop) must not leave a write or a lock behind.
    await this.serial(async () => undefined);
    if (this.unsaved.size > 0) await this.mutate(() => undefined);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().catch((err) => this.logger.warn(`pairing: saving message counts failed (${errText(err)})`));
    }, FLUSH_MS);
    this.flushTimer.unref();
  }

  close(): void {
    this.watching = false;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.pollTimer = this.debounceTimer = undefined;
  }

  // ---- internals ----------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Lock, re-read, apply, write if anything changed, adopt the result, then
   * emit outside the lock. Faults (lock, read, write) reject with a
   * StateFileError saying what to do; memory is left as it was. When the
   * write fails after `apply`, `onFailure` undoes what `apply` did elsewhere,
   * before the lock is released.
   */
  private mutate<T>(apply: (state: PairingFileState, now: Date) => T | Promise<T>, onFailure?: (err: unknown) => Promise<void>): Promise<T> {
    return this.serial(async () => {
      const unsavedBefore = new Map(this.unsaved);
      const { result, events } = await this.withLock(async () => {
        const read = await this.readFile();
        if (read.kind === 'corrupt') await this.moveAside(read.why);
        const state = read.kind === 'ok' ? read.state : emptyState();
        const now = this.now();
        purgeExpiredOnDisk(state, now, this.ttlMs);
        applyUnsaved(state, this.unsaved);
        this.unsaved.clear();
        const result = await apply(state, now);
        const text = serialize(state);
        if (read.kind !== 'ok' || text !== read.raw) {
          if (read.kind !== 'missing' || state.requests.length > 0 || state.recent.length > 0) {
            try {
              await writeFileAtomic(this.file, text);
            } catch (err) {
              const fault = stateFileFault(this.file, 'write', err);
              // Undone while this lock is still held: another gateway's next
              // write (which reads allowFrom.json under this lock) never sees
              // a half-done change.
              if (onFailure) await onFailure(fault);
              throw fault;
            }
          }
        }
        const events = this.adopt(state, text, false);
        this.loaded = true;
        await this.rememberStat();
        return { result, events };
      }).catch((err: unknown) => {
        // Nothing was adopted: the repeat-message counts taken for this write are still owed to disk.
        for (const [id, delta] of unsavedBefore) this.unsaved.set(id, mergeUnsaved(delta, this.unsaved.get(id)));
        throw err;
      });
      this.emitAll(events);
      return result;
    });
  }

  /** The state dir is created (with its .gitignore) by withStateLock, on the first write only. */
  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withStateLock(this.file, { lockWaitMs: this.lockWaitMs, logger: this.logger, fs: this.lockFs }, fn);
  }

  private readFile(): Promise<ReadResult> {
    return readStateFile(this.file, parsePairingFile);
  }

  /** load() found a corrupt file: settle it under the lock, since another process may be fixing it at the same time. */
  private async recoverCorrupt(): Promise<ReadResult> {
    try {
      return await this.withLock(async () => {
        const again = await this.readFile();
        if (again.kind === 'corrupt') {
          await this.moveAside(again.why);
          return { kind: 'missing' } as const;
        }
        return again;
      });
    } catch (err) {
      // Without the lock, renaming could move aside a good file another process just wrote.
      this.logger.warn(`${this.file} is unreadable and could not be locked to move it aside (${errText(err)}); starting with no pending pairing requests. Approved senders are safe: they live in ${ALLOW_FILE_NAME} and the config's allowFrom.`);
      return { kind: 'missing' };
    }
  }

  private async moveAside(why: string): Promise<void> {
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    let target = `${this.file}.corrupt-${stamp}`;
    for (let n = 1; fs.existsSync(target); n++) target = `${this.file}.corrupt-${stamp}-${n}`;
    try {
      await fsp.rename(this.file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw stateFileFault(this.file, 'write', err);
    }
    this.logger.warn(`${this.file} was unreadable (${why}); moved it to ${target} and started with no pending pairing requests. Approved senders are safe: they live in ${ALLOW_FILE_NAME} and the config's allowFrom.`);
  }

  /**
   * Make `state` the in-memory truth and work out which events the difference
   * from the previous truth implies. `baseline` (the first load) reports only
   * 'changed': requests that were already there are not news.
   */
  private adopt(state: PairingFileState, raw: string | undefined, baseline: boolean): PendingEvent[] {
    const now = this.now();
    const fresh = state.requests.filter((r) => !isExpired(r, now, this.ttlMs)).sort(oldestFirst);
    // Another process's write must not wipe counts this one has not saved yet.
    applyUnsaved({ ...state, requests: fresh }, this.unsaved);
    const before = new Map(this.requests.map((r) => [requestKey(r), r]));
    const after = new Map(fresh.map((r) => [requestKey(r), r]));
    const events: PendingEvent[] = [];
    let changed = before.size !== after.size;

    for (const [key, request] of before) {
      if (after.has(key)) continue;
      changed = true;
      if (baseline) continue;
      events.push({ name: 'resolved', payload: { request: clone(request), outcome: outcomeOf(request, state.recent, now, this.ttlMs) } });
    }
    for (const [key, request] of after) {
      const old = before.get(key);
      if (!old) {
        changed = true;
        if (!baseline) events.push({ name: 'requested', payload: clone(request) });
      } else if (!changed && JSON.stringify(old) !== JSON.stringify(request)) {
        changed = true;
      }
    }

    this.requests = fresh;
    this.lastRaw = raw;
    if (changed) events.push({ name: 'changed', payload: fresh.map(clone) });
    return events;
  }

  /** Expiry needs no write: the next mutation drops it from the file too. */
  private purgeMemory(): void {
    const now = this.now();
    const expired = this.requests.filter((r) => isExpired(r, now, this.ttlMs));
    if (expired.length === 0) return;
    this.requests = this.requests.filter((r) => !isExpired(r, now, this.ttlMs));
    for (const request of expired) this.emit('resolved', { request: clone(request), outcome: 'expired' });
    this.emit('changed', this.requests.map(clone));
  }

  private emitAll(events: PendingEvent[]): void {
    for (const e of events) {
      if (e.name === 'requested') this.emit('requested', e.payload);
      else if (e.name === 'resolved') this.emit('resolved', e.payload);
      else this.emit('changed', e.payload);
    }
  }

  private scheduleReload(delayMs: number): void {
    if (!this.watching || this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.reload();
    }, delayMs);
    this.debounceTimer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      this.purgeMemory();
      this.watchDir();
      if ((await statKey(this.file)) !== this.lastStatKey) this.scheduleReload(0);
      const allowKey = await statKey(this.approved.file);
      if (allowKey !== this.lastAllowStatKey) {
        this.lastAllowStatKey = allowKey;
        await this.refreshApproved();
      }
    } finally {
      this.polling = false;
    }
  }

  private reload(): Promise<void> {
    return this.serial(async () => {
      if (!this.watching) return;
      try {
        // Stat before reading: a write landing in between changes the stat again and triggers another reload.
        const key = await statKey(this.file);
        const read = await this.readFile();
        if (read.kind === 'corrupt') {
          // Possibly a hand edit saved in place; the next mutation moves it aside with a warning.
          this.logger.debug(`pairing: ${this.file} is unreadable (${read.why}); keeping the last good state`);
          this.lastStatKey = key;
          return;
        }
        this.lastStatKey = key;
        const raw = read.kind === 'ok' ? read.raw : undefined;
        if (raw === this.lastRaw && this.loaded) return;
        // An approval writes allowFrom.json before pairing.json: reading it now,
        // after pairing.json, means a request seen leaving as approved is never
        // followed by a moment where its sender is neither pending nor approved
        // (which would issue them a fresh code).
        await this.refreshApproved();
        const events = this.adopt(read.kind === 'ok' ? read.state : emptyState(), raw, !this.loaded);
        this.loaded = true;
        this.emitAll(events);
      } catch (err) {
        this.logger.debug(`pairing: reloading ${this.file} failed (${errText(err)})`);
      }
    });
  }

  private async refreshApproved(): Promise<void> {
    await this.approved.refresh().catch((err: unknown) => this.logger.debug(`pairing: reloading ${this.approved.file} failed (${errText(err)})`));
  }

  private async rememberStat(): Promise<void> {
    this.lastStatKey = await statKey(this.file);
  }
}

/** One message from a sender, applied to the file's state: a new request, or one more message on theirs. */
function applyTouch(state: PairingFileState, now: Date, sender: { id: string; meta: Omit<PairingMeta, 'count'> }, maxPending: number): TouchResult {
  const at = now.toISOString();
  const existing = state.requests.find((r) => r.id === sender.id);
  if (existing) {
    existing.lastSeenAt = at;
    // Merge rather than replace: a later activity without a name must not erase the one we had.
    existing.meta = { ...existing.meta, ...definedOnly(sender.meta), count: existing.meta.count + 1 };
    return { kind: 'existing', request: clone(existing) };
  }
  if (state.requests.length >= maxPending) return { kind: 'full', pending: state.requests.length };
  const request: PairingRequest = {
    id: sender.id,
    code: generatePairingCode(new Set(state.requests.map((r) => r.code))),
    createdAt: at,
    lastSeenAt: at,
    meta: { ...definedOnly(sender.meta), count: 1 },
  };
  state.requests.push(request);
  return { kind: 'created', request: clone(request) };
}

interface UnsavedChange {
  lastSeenAt: string;
  count: number;
  meta: Partial<PairingMeta>;
  repliedAt?: string;
}

interface CreateWaiter {
  sender: { id: string; meta: Omit<PairingMeta, 'count'> };
  resolve: (result: TouchResult) => void;
  reject: (err: unknown) => void;
}

/** Two batches of repeat messages for one sender, the older first. */
function mergeUnsaved(older: UnsavedChange, newer: UnsavedChange | undefined): UnsavedChange {
  if (!newer) return older;
  return {
    lastSeenAt: newer.lastSeenAt > older.lastSeenAt ? newer.lastSeenAt : older.lastSeenAt,
    count: older.count + newer.count,
    meta: { ...older.meta, ...newer.meta },
    repliedAt: older.repliedAt ?? newer.repliedAt,
  };
}

/** What the allow store keeps about an approved request. */
function approvedSenderOf(request: PairingRequest, now: Date, approvedBy: string): ApprovedSender {
  return {
    entry: request.meta.aadObjectId ?? request.id,
    id: request.id,
    aadObjectId: request.meta.aadObjectId,
    name: request.meta.name,
    approvedAt: now.toISOString(),
    approvedBy,
    code: request.code,
    conversationId: request.meta.conversationId,
    tenantId: request.meta.tenantId,
  };
}

function applyUnsaved(state: PairingFileState, unsaved: ReadonlyMap<string, UnsavedChange>): void {
  for (const [id, delta] of unsaved) {
    const request = state.requests.find((r) => r.id === id);
    if (!request) continue;
    if (delta.lastSeenAt > request.lastSeenAt) request.lastSeenAt = delta.lastSeenAt;
    request.meta = { ...request.meta, ...delta.meta, count: request.meta.count + delta.count };
    if (delta.repliedAt && !request.repliedAt) request.repliedAt = delta.repliedAt;
  }
}

// ---- file format -----------------------------------------------------------

/** Parse and validate pairing.json; exported so the CLI can read it without a store. */
export function parsePairingFile(raw: string): { ok: true; state: PairingFileState } | { ok: false; why: string } {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return { ok: false, why: `not valid JSON: ${errText(err)}` };
  }
  if (!isObject(data)) return { ok: false, why: 'not a JSON object' };
  if (data.version !== 1) return { ok: false, why: `unsupported version ${JSON.stringify(data.version)}` };
  if (!Array.isArray(data.requests)) return { ok: false, why: '"requests" is not an array' };
  const requests: PairingRequest[] = [];
  for (const [i, r] of data.requests.entries()) {
    if (!isRequest(r)) return { ok: false, why: `requests[${i}] is not a pairing request` };
    requests.push(r);
  }
  // The tail is an optimisation for watchers; a damaged one is dropped, never a reason to discard requests.
  const recent = Array.isArray(data.recent) ? data.recent.filter(isResolved) : [];
  return { ok: true, state: { requests, recent } };
}

function serialize(state: PairingFileState): string {
  const file: PairingFileOnDisk = { version: 1, requests: state.requests };
  if (state.recent.length > 0) file.recent = state.recent;
  // Humans read and diff this file: indent, and end with a newline.
  return `${JSON.stringify(file, null, 2)}\n`;
}

function isRequest(r: unknown): r is PairingRequest {
  return (
    isObject(r) &&
    typeof r.id === 'string' && r.id.length > 0 &&
    typeof r.code === 'string' && r.code.length > 0 &&
    isDate(r.createdAt) &&
    isDate(r.lastSeenAt) &&
    (r.repliedAt === undefined || isDate(r.repliedAt)) &&
    isObject(r.meta) &&
    typeof r.meta.count === 'number'
  );
}

function isResolved(r: unknown): r is ResolvedPairing {
  return (
    isObject(r) &&
    typeof r.id === 'string' &&
    typeof r.code === 'string' &&
    (r.outcome === 'approved' || r.outcome === 'rejected' || r.outcome === 'expired') &&
    typeof r.at === 'string'
  );
}

// ---- helpers -----------------------------------------------------------------

function emptyState(): PairingFileState {
  return { requests: [], recent: [] };
}

function isExpired(r: PairingRequest, now: Date, ttlMs: number): boolean {
  return now.getTime() - Date.parse(r.createdAt) >= ttlMs;
}

function purgeExpiredOnDisk(state: PairingFileState, now: Date, ttlMs: number): void {
  const keep: PairingRequest[] = [];
  for (const r of state.requests) {
    if (isExpired(r, now, ttlMs)) pushRecent(state, { id: r.id, code: r.code, outcome: 'expired', at: now.toISOString() });
    else keep.push(r);
  }
  state.requests = keep;
}

function pushRecent(state: PairingFileState, entry: ResolvedPairing): void {
  state.recent.push(entry);
  if (state.recent.length > RECENT_LIMIT) state.recent.splice(0, state.recent.length - RECENT_LIMIT);
}

/**
 * Why a request disappeared. The tail says for changes made by this store; a
 * removal it does not explain (a hand edit, a deleted file) is reported as
 * 'rejected', because that outcome lets nobody in and sends nobody a notice.
 */
function outcomeOf(r: PairingRequest, recent: ResolvedPairing[], now: Date, ttlMs: number): PairingOutcome {
  for (let i = recent.length - 1; i >= 0; i--) {
    if (recent[i].id === r.id && recent[i].code === r.code) return recent[i].outcome;
  }
  return isExpired(r, now, ttlMs) ? 'expired' : 'rejected';
}

function requestKey(r: PairingRequest): string {
  return `${r.id}\n${r.code}`;
}

function oldestFirst(a: PairingRequest, b: PairingRequest): number {
  return Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}


function clone<T>(value: T): T {
  return structuredClone(value);
}

async function statKey(file: string): Promise<string> {
  try {
    const s = await fsp.stat(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDate(v: unknown): v is string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
