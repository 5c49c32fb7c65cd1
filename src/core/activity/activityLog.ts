import { promises as fsp, statSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { TypedEmitter } from '../typedEmitter';
import { type Logger, silentLogger } from '../logger';
import type { ActivityRecord } from './activityRecord';
import type { Fate } from '../reasons';
import { jsonNeedsNoRedaction, redact, redactText } from '../redact';
import { RecordIdGenerator } from './recordId';
import { ensureStateDir } from '../stateDir';

export interface ActivityLogOptions {
  /** Directory for activities.jsonl; undefined keeps the log in memory only. */
  dir?: string;
  /** Records kept in memory (a ring); default 2000. */
  capacity?: number;
  /** The current file is rotated once it would grow past this; default 5 MiB. */
  maxFileBytes?: number;
  /** Rotated files kept (activities.1.jsonl …); default 3. */
  maxFiles?: number;
  logger?: Logger;
}

export type ActivityLogEvents = { recorded: ActivityRecord; cleared: void };

export type RecordInput = Omit<ActivityRecord, 'id' | 'time'> & {
  time?: string;
  /**
   * The JSON text `activity` was parsed from, when the caller has it (the webhook's request body). When
   * it provably needs no redaction (jsonNeedsNoRedaction), the log keeps `activity` itself (the caller
   * hands it over and must not change it) and writes this text, instead of a redacted deep copy
   * stringified again.
   */
  activityJson?: string;
};

export interface ActivityQuery {
  /** Default 100. */
  limit?: number;
  /** Only records whose fate is not 'delivered'. */
  notDelivered?: boolean;
  fate?: Fate;
  direction?: 'inbound' | 'outbound';
  senderId?: string;
  /** One conversation's records (Show Activities on a conversation); a channel's id covers its threads (";messageid=…"). */
  conversationId?: string;
  /** Only records older than this id (paging). */
  before?: string;
  /** Include the Delivery Check's probes (reason "probe"): they are not user activities, so hidden unless asked. */
  probes?: boolean;
}

export const ACTIVITY_FILE = 'activities.jsonl';
/** Activity bodies (and bot responses) larger than this are replaced by a truncated copy. */
export const MAX_STORED_BODY_BYTES = 64 * 1024;
/** How long recorded lines wait to be written together. */
const WRITE_BATCH_MS = 10;
/** Characters of text kept from an activity that was too large to store whole. */
const TRUNCATED_TEXT_CHARS = 4096;
/** Envelope fields kept from an oversized activity, so lists and transcripts still work. */
const ENVELOPE_KEYS = ['type', 'id', 'timestamp', 'channelId', 'serviceUrl', 'from', 'recipient', 'conversation', 'replyToId', 'name', 'textFormat'];
const READ_CHUNK_BYTES = 256 * 1024;
/** readActivities does not know the writer's maxFiles; it stops at the first gap or here. */
const MAX_ROTATED_SCAN = 100;

/** activities.jsonl for 0, activities.<n>.jsonl for rotated file n (1 is the newest rotated). */
export function activityFileName(index: number): string {
  return index === 0 ? ACTIVITY_FILE : `activities.${index}.jsonl`;
}

/**
 * Every activity the gateway saw, with its fate: a ring in memory for the UI
 * and an append-only JSON Lines file for the CLI and for restarts. Recording
 * is synchronous so the request path never waits for the disk; lines are
 * written in order by one queue.
 */
export class ActivityLog extends TypedEmitter<ActivityLogEvents> {
  private readonly dir: string | undefined;
  private readonly capacity: number;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private readonly logger: Logger;
  private readonly ids = new RecordIdGenerator();

  // The ring, ordered by id (ids only grow), so paging and get() can binary-search.
  private ring: (ActivityRecord | undefined)[];
  private start = 0;
  private count = 0;

  // The writer: lines wait in `pending`; one drain at a time runs on `chain`.
  private pending: string[] = [];
  private drainScheduled = false;
  private writeTimer?: NodeJS.Timeout;
  /** Bumped by clear(): drains scheduled before it must not write lines recorded after it. */
  private epoch = 0;
  private chain: Promise<void> = Promise.resolve();
  private handle: fsp.FileHandle | undefined;
  /** The inode the handle writes to, to notice the file being removed or replaced under it. */
  private handleIno = 0;
  private fileSize = 0;
  private closed = false;
  private warnedClosed = false;
  private warnedWrite = false;

  constructor(opts: ActivityLogOptions = {}) {
    super();
    this.dir = opts.dir === undefined ? undefined : path.resolve(opts.dir);
    this.capacity = Math.max(1, Math.floor(opts.capacity ?? 2000));
    this.maxFileBytes = Math.max(1, opts.maxFileBytes ?? 5 * 1024 * 1024);
    this.maxFiles = Math.max(0, Math.floor(opts.maxFiles ?? 3));
    this.logger = opts.logger ?? silentLogger;
    this.ring = new Array(this.capacity);
  }

  async load(): Promise<void> {
    if (!this.dir) return;
    let found: Awaited<ReturnType<typeof readNewest>>;
    try {
      found = await readNewest(this.dir, this.capacity, this.maxFiles, undefined, true);
    } catch (err) {
      // Earlier records are a convenience; an unreadable state dir must not stop the gateway from serving.
      this.logger.warn(`activity log: cannot read ${this.dir} (${errCode(err)}); starting without the earlier records`);
      return;
    }
    const { records, unreadable } = found;
    if (unreadable > 0) {
      this.logger.warn(`activity log: skipped ${unreadable} unreadable line${unreadable === 1 ? '' : 's'} in ${this.dir}`);
    }
    // Records made before load() finished are newer than anything on disk; keep both, ordered by id.
    const seen = new Set<string>();
    const merged: ActivityRecord[] = [];
    for (const r of [...records.reverse(), ...this.toArray()]) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      merged.push(r);
    }
    merged.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const kept = merged.slice(-this.capacity);
    this.ring = new Array(this.capacity);
    kept.forEach((r, i) => (this.ring[i] = r));
    this.start = 0;
    this.count = kept.length;
    if (kept.length > 0) this.ids.advancePast(kept[kept.length - 1].id);
  }

  record(input: RecordInput): ActivityRecord {
    const nowMs = Date.now();
    const { time, detail, summary, activity, activityJson: sourceJson, botResponse, ...rest } = input;
    const record: ActivityRecord = {
      id: this.ids.next(nowMs),
      time: time ?? new Date(nowMs).toISOString(),
      ...rest,
      summary: redact(summary) as ActivityRecord['summary'],
    };
    if (detail !== undefined) record.detail = redactText(detail);
    // Warnings quote what the bot answered (an invoke's "type", its keys): redacted like the detail.
    if (record.warnings) record.warnings = record.warnings.map((w) => ({ code: w.code, text: redactText(w.text) }));
    let activityJson: string | undefined;
    if (activity !== undefined) {
      const clean = sourceJson !== undefined && jsonNeedsNoRedaction(sourceJson);
      if (clean && fitsAsLine(sourceJson)) {
        record.activity = activity;
        activityJson = sourceJson;
      } else {
        const capped = capActivity((clean ? activity : redact(activity)) as Record<string, unknown>);
        record.activity = capped.value;
        activityJson = capped.json;
      }
    }
    if (botResponse !== undefined) {
      record.botResponse = { status: botResponse.status };
      if (botResponse.body !== undefined) record.botResponse.body = capBody(redact(botResponse.body));
    }

    if (this.dir) {
      if (this.closed) {
        if (!this.warnedClosed) {
          this.warnedClosed = true;
          this.logger.warn('activity log: recorded after close; keeping records in memory only');
        }
      } else {
        this.enqueue(toLine(record, activityJson));
      }
    }
    this.push(record);
    this.emit('recorded', record);
    return record;
  }

  /** Newest first. The records are the log's own objects: treat them as read-only. */
  list(q: ActivityQuery = {}): ActivityRecord[] {
    const limit = q.limit ?? 100;
    const out: ActivityRecord[] = [];
    if (limit <= 0) return out;
    let i = q.before === undefined ? this.count - 1 : this.lowerBound(q.before) - 1;
    for (; i >= 0 && out.length < limit; i--) {
      const r = this.at(i);
      if (matches(r, q)) out.push(r);
    }
    return out;
  }

  get(id: string): ActivityRecord | undefined {
    const i = this.lowerBound(id);
    if (i < this.count && this.at(i).id === id) return this.at(i);
    return undefined;
  }

  size(): number {
    return this.count;
  }

  async clear(): Promise<void> {
    this.ring = new Array(this.capacity);
    this.start = 0;
    this.count = 0;
    this.epoch++;
    this.pending = [];
    this.drainScheduled = false;
    clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    const dir = this.dir;
    if (dir) {
      this.chain = this.chain.then(async () => {
        await this.closeHandle();
        await removeLogFiles(dir).catch((err) => this.logger.warn(`activity log: could not remove files in ${dir}: ${errText(err)}`));
      });
      await this.chain;
    }
    this.emit('cleared', undefined);
  }

  async flush(): Promise<void> {
    if (this.writeTimer) this.startDrain(this.epoch);
    await this.chain;
    // Only here, never per record: an fsync on the request path would cost milliseconds.
    await this.handle?.datasync().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.releaseFile();
  }

  /**
   * Writes what is pending and closes the file, but keeps recording: the next
   * record opens it again. A stopped gateway holds no descriptor (one left
   * open was only closed by the garbage collector, with a warning per file).
   */
  async releaseFile(): Promise<void> {
    await this.flush();
    this.chain = this.chain.then(() => this.closeHandle());
    await this.chain;
  }

  // ---- ring ---------------------------------------------------------------

  private at(i: number): ActivityRecord {
    return this.ring[(this.start + i) % this.capacity] as ActivityRecord;
  }

  private push(record: ActivityRecord): void {
    if (this.count < this.capacity) {
      this.ring[(this.start + this.count) % this.capacity] = record;
      this.count++;
    } else {
      this.ring[this.start] = record;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Index of the first record whose id is >= id. */
  private lowerBound(id: string): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private toArray(): ActivityRecord[] {
    const out: ActivityRecord[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  // ---- writer -------------------------------------------------------------

  /**
   * Lines wait a few milliseconds and go out in one write: one write per
   * request was the log's largest cost in the benchmark's profile.
   */
  private enqueue(line: string): void {
    this.pending.push(line);
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    const epoch = this.epoch;
    this.writeTimer = setTimeout(() => this.startDrain(epoch), WRITE_BATCH_MS);
  }

  private startDrain(epoch: number): void {
    clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    this.chain = this.chain.then(() => this.drain(epoch));
  }

  private async drain(epoch: number): Promise<void> {
    if (epoch !== this.epoch) return;
    this.drainScheduled = false;
    const lines = this.pending;
    this.pending = [];
    try {
      await this.writeLines(lines);
      this.warnedWrite = false;
    } catch (err) {
      if (!this.warnedWrite) {
        this.warnedWrite = true;
        this.logger.warn(`activity log: writing to ${this.dir} failed (${errText(err)}); records stay in memory`);
      }
      await this.closeHandle();
    }
  }

  private async writeLines(lines: string[]): Promise<void> {
    await this.open();
    // Sizes are counted, not encoded: the batch becomes bytes once, in append (a Buffer per line and then a
    // concatenation copied every line twice).
    let batch: string[] = [];
    let batchBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line, 'utf8') + 1;
      const size = this.fileSize + batchBytes;
      if (size > 0 && size + bytes > this.maxFileBytes) {
        await this.append(batch);
        batch = [];
        batchBytes = 0;
        await this.rotate();
      }
      batch.push(line, '\n');
      batchBytes += bytes;
    }
    await this.append(batch);
  }

  private async append(batch: string[]): Promise<void> {
    if (batch.length === 0 || !this.handle) return;
    const data = Buffer.from(batch.join(''), 'utf8');
    // Synchronous, like the inode check in open(): a batch of a few KB lands in the page cache in ~10 µs
    // of CPU, where FileHandle.appendFile cost ~60 µs (a thread-pool round trip and its promises) per batch.
    // A file opened 'a' is appended to whatever the position; a short write (disk full) is continued
    // until it fails with the reason.
    for (let done = 0; done < data.length; ) done += writeSync(this.handle.fd, data, done, data.length - done);
    this.fileSize += data.length;
  }

  private async open(): Promise<void> {
    if (!this.dir) return;
    if (this.handle) {
      // Another process may have removed the file (Clear Activities in another window, a hand `rm`):
      // appending to the unlinked inode would lose every later record, so follow the name.
      // Synchronous: a stat of a file just written is answered from the inode cache in microseconds, where
      // fs.promises.stat cost ~35 µs of CPU (a thread-pool round trip) per batch, a tenth of the log's cost.
      let onDisk: { ino: number } | undefined;
      try {
        onDisk = statSync(path.join(this.dir, ACTIVITY_FILE), { throwIfNoEntry: false });
      } catch {
        onDisk = undefined;
      }
      if (onDisk?.ino === this.handleIno) return;
      await this.closeHandle();
    }
    // Created here, on the first record written, not by load(): see stateDir.ts.
    await ensureStateDir(this.dir);
    const handle = await fsp.open(path.join(this.dir, ACTIVITY_FILE), 'a+', 0o600);
    try {
      const { size, ino } = await handle.stat();
      this.fileSize = size;
      this.handleIno = ino;
      if (size > 0) {
        // A crash can leave half a line; start ours on a fresh one so it stays readable.
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) {
          await handle.appendFile('\n');
          this.fileSize++;
        }
      }
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
    this.handle = handle;
  }

  private async rotate(): Promise<void> {
    const dir = this.dir as string;
    await this.closeHandle();
    const file = (i: number) => path.join(dir, activityFileName(i));
    await ignoreMissing(fsp.unlink(file(this.maxFiles + 1)));
    if (this.maxFiles === 0) {
      await ignoreMissing(fsp.unlink(file(0)));
    } else {
      // Renames overwrite, so the oldest kept file is replaced and nothing piles up.
      for (let i = this.maxFiles - 1; i >= 0; i--) await ignoreMissing(fsp.rename(file(i), file(i + 1)));
    }
    this.fileSize = 0;
    await this.open();
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.fileSize = 0;
    await handle?.close().catch(() => undefined);
  }
}

// ---- reading files (also used by the CLI while the gateway writes) -----------

/**
 * Read the log another process is writing. Newest first, same filters as
 * ActivityLog.list. A last line still being written is skipped, and a record
 * seen twice (the file rotated while we read) is returned once.
 */
export async function readActivities(dir: string, q: ActivityQuery = {}): Promise<ActivityRecord[]> {
  const limit = q.limit ?? 100;
  if (limit <= 0) return [];
  const { records } = await readNewest(path.resolve(dir), limit, MAX_ROTATED_SCAN, q, false);
  return records;
}

async function readNewest(
  dir: string,
  want: number,
  maxFiles: number,
  q: ActivityQuery | undefined,
  countPartialTail: boolean,
): Promise<{ records: ActivityRecord[]; unreadable: number }> {
  const records: ActivityRecord[] = [];
  const seen = new Set<string>();
  let unreadable = 0;
  for (let index = 0; index <= maxFiles && records.length < want; index++) {
    const file = path.join(dir, activityFileName(index));
    let found = false;
    try {
      for await (const { text, complete } of linesFromEnd(file)) {
        found = true;
        if (text.trim() === '') continue;
        const record = parseRecord(text);
        if (!record) {
          if (complete || countPartialTail) unreadable++;
          continue;
        }
        if (seen.has(record.id)) continue;
        seen.add(record.id);
        if (q && !(matches(record, q) && (q.before === undefined || record.id < q.before))) continue;
        records.push(record);
        if (records.length >= want) break;
      }
      found = true;
    } catch (err) {
      // ENOTDIR: a part of the path is a file, so there is no log there either.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
    // Rotated files are numbered without gaps; a missing one means there are no older ones.
    if (!found && index > 0) break;
  }
  return { records, unreadable };
}

/**
 * Lines of a file, last first, reading fixed-size chunks from the end: the
 * newest records of a 5 MiB log cost one or two reads, not a full parse.
 * `complete` is false for a final line without its newline (being written, or cut by a crash).
 */
async function* linesFromEnd(file: string): AsyncGenerator<{ text: string; complete: boolean }> {
  const handle = await fsp.open(file, 'r');
  try {
    let pos = (await handle.stat()).size;
    let carry = Buffer.alloc(0);
    let tail = true;
    while (pos > 0) {
      const len = Math.min(READ_CHUNK_BYTES, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const { bytesRead } = await handle.read(chunk, got, len - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const buf = carry.length ? Buffer.concat([chunk.subarray(0, got), carry]) : chunk.subarray(0, got);
      // Splitting on the newline byte is safe in UTF-8: it never occurs inside a multi-byte character.
      let end = buf.length;
      let nl = buf.lastIndexOf(0x0a, end - 1);
      while (nl >= 0) {
        if (tail) {
          if (nl + 1 < end) yield { text: buf.toString('utf8', nl + 1, end), complete: false };
          tail = false;
        } else {
          yield { text: buf.toString('utf8', nl + 1, end), complete: true };
        }
        end = nl;
        nl = end > 0 ? buf.lastIndexOf(0x0a, end - 1) : -1;
      }
      carry = Buffer.from(buf.subarray(0, end));
    }
    if (carry.length > 0) yield { text: carry.toString('utf8'), complete: !tail };
  } finally {
    await handle.close();
  }
}

function parseRecord(text: string): ActivityRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Partial<ActivityRecord>;
  if (typeof r.id !== 'string' || typeof r.time !== 'string' || typeof r.fate !== 'string' || typeof r.direction !== 'string') return undefined;
  if (typeof r.summary !== 'object' || r.summary === null) r.summary = {};
  return r as ActivityRecord;
}

async function removeLogFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await Promise.all(
    names.filter((n) => n === ACTIVITY_FILE || /^activities\.\d+\.jsonl$/.test(n)).map((n) => ignoreMissing(fsp.unlink(path.join(dir, n)))),
  );
}

// ---- helpers -----------------------------------------------------------------

function matches(r: ActivityRecord, q: ActivityQuery): boolean {
  if (r.reason === 'probe' && !q.probes) return false;
  if (q.notDelivered && r.fate === 'delivered') return false;
  if (q.fate !== undefined && r.fate !== q.fate) return false;
  if (q.direction !== undefined && r.direction !== q.direction) return false;
  if (q.senderId !== undefined && r.summary?.senderId !== q.senderId) return false;
  if (q.conversationId !== undefined && r.summary?.conversationId?.split(';')[0] !== q.conversationId.split(';')[0]) return false;
  return true;
}

/** The activity is JSON already (stringified for its size, or as it arrived): spliced in, not stringified twice. */
function toLine(record: ActivityRecord, activityJson: string | undefined): string {
  if (activityJson === undefined) return JSON.stringify(record);
  const { activity: _omitted, ...head } = record;
  return `${JSON.stringify(head).slice(0, -1)},"activity":${activityJson}}`;
}

/** JSON text that can go into the log as it is: one line (no raw line breaks between tokens) and within the stored size. */
function fitsAsLine(json: string): boolean {
  return !json.includes('\n') && !json.includes('\r') && json.length <= MAX_STORED_BODY_BYTES && Buffer.byteLength(json, 'utf8') <= MAX_STORED_BODY_BYTES;
}

/**
 * Keep huge bodies (adaptive cards with images inlined, file uploads) from
 * filling the ring and the file: over the cap only the envelope and the start
 * of the text remain, with a marker saying how big the original was.
 */
function capActivity(activity: Record<string, unknown>): { value: Record<string, unknown>; json: string } {
  const json = JSON.stringify(activity);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= MAX_STORED_BODY_BYTES) return { value: activity, json };
  const marker = { originalBytes: bytes, reason: `activity larger than ${MAX_STORED_BODY_BYTES} bytes; only its envelope and the start of its text were kept` };
  let kept: Record<string, unknown> = {};
  for (const key of ENVELOPE_KEYS) if (key in activity) kept[key] = activity[key];
  if (typeof activity.text === 'string') kept.text = activity.text.slice(0, TRUNCATED_TEXT_CHARS);
  kept._truncated = marker;
  let keptJson = JSON.stringify(kept);
  if (Buffer.byteLength(keptJson, 'utf8') > MAX_STORED_BODY_BYTES) {
    // Even the envelope is huge (hostile input): keep only the marker.
    kept = { type: typeof activity.type === 'string' ? activity.type.slice(0, 64) : undefined, _truncated: marker };
    keptJson = JSON.stringify(kept);
  }
  return { value: kept, json: keptJson };
}

function capBody(body: unknown): unknown {
  const json = JSON.stringify(body);
  if (json === undefined) return undefined;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= MAX_STORED_BODY_BYTES) return body;
  return { _truncated: { originalBytes: bytes, preview: json.slice(0, TRUNCATED_TEXT_CHARS) } };
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? errText(err);
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
