import * as path from 'node:path';
import { TypedEmitter } from '../typedEmitter';
import { type Logger, silentLogger } from '../logger';
import { writeFileAtomic } from '../atomicWrite';
import { definedOnly } from '../definedOnly';
import { DEFAULT_LOCK_WAIT_MS, StateFileError, readStateFile, stateFileFault, withStateLock, type StateFileRead } from './stateFile';

/**
 * Senders let in by an approved pairing code: <stateDir>/allowFrom.json,
 * OpenClaw's allow store format (`{"version":1,"allowFrom":[…]}`) plus the
 * details the Approved Senders view shows. It opens personal chats only:
 * group chats and channels are governed by the config's groupAllowFrom /
 * allowFrom alone, so approving a DM never lets someone into every group the
 * bot is in. "Promote to config" is the explicit way to widen an approval.
 *
 * Writes use the same lock and atomic rename as pairing.json (stateFile.ts).
 */
export interface ApprovedSender {
  /** The allowFrom entry: the sender's AAD object id when known, else their Teams user id. */
  entry: string;
  /** Teams user id (29:…). */
  id?: string;
  aadObjectId?: string;
  name?: string;
  approvedAt?: string;
  /** Which tool approved it: "cli", "vscode" or "gateway", with the OS user. */
  approvedBy?: string;
  /** The pairing code that was approved. */
  code?: string;
  /** The personal conversation the sender wrote from. */
  conversationId?: string;
  tenantId?: string;
}

export interface AllowFileOnDisk {
  version: 1;
  allowFrom: string[];
  /** Details per entry; readers that only know OpenClaw's format ignore it. */
  senders?: ApprovedSender[];
}

export interface AllowState {
  allowFrom: string[];
  senders: ApprovedSender[];
}

export type AllowEvents = {
  /** The approved list changed (here or in another process); the payload is the new list. */
  changed: ApprovedSender[];
};

export interface AllowStoreOptions {
  file: string;
  logger?: Logger;
  lockWaitMs?: number;
}

export const ALLOW_FILE_NAME = 'allowFrom.json';

/** Undoes one add: removes the entry it added (and nothing another writer added since). */
export type Undo = () => Promise<void>;

export class AllowStore extends TypedEmitter<AllowEvents> {
  readonly file: string;
  private readonly logger: Logger;
  private readonly lockWaitMs: number;
  private state: AllowState = emptyState();
  /** Lower-cased entries, for the lookup on every personal message. */
  private index = new Set<string>();
  private lastRaw: string | undefined;
  private warnedCorrupt = false;
  /** In-process serialisation; the file lock only arbitrates between processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: AllowStoreOptions) {
    super();
    this.file = path.resolve(opts.file);
    this.logger = opts.logger ?? silentLogger;
    this.lockWaitMs = opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  }

  /** Reads the file (no lock needed: writes replace it by rename). Emits 'changed' when it differs from memory. */
  refresh(): Promise<void> {
    return this.serial(() => this.refreshNow());
  }

  private async refreshNow(): Promise<void> {
    const read = await this.read();
    if (read.kind === 'corrupt') {
      if (!this.warnedCorrupt) {
        this.warnedCorrupt = true;
        this.logger.warn(`${this.file} is unreadable (${read.why}); keeping the approvals read before. Fix or remove the file: approvals cannot be saved until then.`);
      }
      return;
    }
    this.warnedCorrupt = false;
    this.adopt(read.kind === 'ok' ? read.state : emptyState(), read.kind === 'ok' ? read.raw : undefined);
  }

  isApproved(from: { id: string; aadObjectId?: string }): boolean {
    if (this.index.size === 0) return false;
    return (from.aadObjectId !== undefined && this.index.has(from.aadObjectId.toLowerCase())) || this.index.has(from.id.toLowerCase());
  }

  /** Every approved sender, in approval order; entries written by hand have only `entry`. */
  list(): ApprovedSender[] {
    return this.state.allowFrom.map((entry) => ({ ...(findSender(this.state, entry) ?? {}), entry }));
  }

  /** The entry matching an allowFrom entry, Teams user id or AAD object id (case-insensitive). */
  find(idOrEntry: string): ApprovedSender | undefined {
    const wanted = idOrEntry.toLowerCase();
    return this.list().find((s) => [s.entry, s.id, s.aadObjectId].some((v) => v?.toLowerCase() === wanted));
  }

  /**
   * Adds a sender under the lock. Returns whether it was new and how to undo
   * the write, for a caller whose own second write fails (approval is
   * all-or-nothing: see PairingStore.approve).
   */
  async add(sender: ApprovedSender): Promise<{ added: boolean; undo: Undo }> {
    const added = await this.mutate((state) => {
      const existing = state.allowFrom.findIndex((e) => e.toLowerCase() === sender.entry.toLowerCase());
      if (existing >= 0) return false;
      state.allowFrom.push(sender.entry);
      state.senders = state.senders.filter((s) => s.entry.toLowerCase() !== sender.entry.toLowerCase());
      state.senders.push(definedOnly(sender));
      return true;
    });
    // Not a restore of the whole file: whatever others wrote since stays, only our entry goes.
    const undo: Undo = added ? () => this.mutate((state) => dropEntry(state, sender.entry)) : async () => undefined;
    return { added, undo };
  }

  /** Removes the sender matching an entry, Teams user id or AAD object id; undefined when none did. */
  async remove(idOrEntry: string): Promise<ApprovedSender | undefined> {
    return this.mutate((state) => {
      const wanted = idOrEntry.toLowerCase();
      const view = state.allowFrom.map((entry) => ({ ...(findSender(state, entry) ?? {}), entry }));
      const found = view.find((s) => [s.entry, s.id, s.aadObjectId].some((v) => v?.toLowerCase() === wanted));
      if (!found) return undefined;
      dropEntry(state, found.entry);
      return found;
    });
  }

  /** Lock, re-read, apply, write if changed, adopt. A corrupt file is never overwritten: approvals would be lost. */
  private mutate<T>(apply: (state: AllowState) => T): Promise<T> {
    return this.serial(() => withStateLock(this.file, { lockWaitMs: this.lockWaitMs, logger: this.logger }, async () => {
      const read = await this.read();
      if (read.kind === 'corrupt') {
        throw new StateFileError(this.file, 'ECORRUPT', 'read', new Error(`${this.file} is not a valid allow store (${read.why}): fix or remove it`));
      }
      const state = read.kind === 'ok' ? read.state : emptyState();
      const result = apply(state);
      const text = serialize(state);
      if (text !== (read.kind === 'ok' ? read.raw : undefined)) {
        try {
          await writeFileAtomic(this.file, text);
        } catch (err) {
          throw stateFileFault(this.file, 'write', err);
        }
      }
      this.adopt(state, text);
      return result;
    }));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private adopt(state: AllowState, raw: string | undefined): void {
    if (raw === this.lastRaw && raw !== undefined) return;
    const changed = serialize(state) !== serialize(this.state);
    this.state = state;
    this.index = new Set(state.allowFrom.map((e) => e.toLowerCase()));
    this.lastRaw = raw;
    if (changed) this.emit('changed', this.list());
  }

  private read(): Promise<StateFileRead<AllowState>> {
    return readStateFile(this.file, parseAllowFile);
  }
}

/** Parses allowFrom.json; accepts OpenClaw's plain `{"version":1,"allowFrom":[…]}` too. */
export function parseAllowFile(raw: string): { ok: true; state: AllowState } | { ok: false; why: string } {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return { ok: false, why: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, why: 'not a JSON object' };
  const d = data as Record<string, unknown>;
  if (d.version !== 1) return { ok: false, why: `unsupported version ${JSON.stringify(d.version)}` };
  if (!Array.isArray(d.allowFrom) || !d.allowFrom.every((e) => typeof e === 'string' && e.length > 0)) {
    return { ok: false, why: '"allowFrom" is not an array of strings' };
  }
  const senders = Array.isArray(d.senders) ? d.senders.filter(isSender) : [];
  return { ok: true, state: { allowFrom: [...new Set(d.allowFrom as string[])], senders } };
}

function serialize(state: AllowState): string {
  const file: AllowFileOnDisk = { version: 1, allowFrom: state.allowFrom };
  if (state.senders.length > 0) file.senders = state.senders;
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Removes one entry and its details (exact match, as written). */
function dropEntry(state: AllowState, entry: string): void {
  state.allowFrom = state.allowFrom.filter((e) => e !== entry);
  state.senders = state.senders.filter((s) => s.entry !== entry);
}

function findSender(state: AllowState, entry: string): ApprovedSender | undefined {
  return state.senders.find((s) => s.entry === entry);
}

function isSender(v: unknown): v is ApprovedSender {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s.entry === 'string' && ['id', 'aadObjectId', 'name', 'approvedAt', 'approvedBy', 'code', 'conversationId', 'tenantId'].every((k) => s[k] === undefined || typeof s[k] === 'string');
}

function emptyState(): AllowState {
  return { allowFrom: [], senders: [] };
}
