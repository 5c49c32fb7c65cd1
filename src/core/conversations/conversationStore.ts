import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { TypedEmitter } from '../typedEmitter';
import { type Logger, silentLogger } from '../logger';
import { writeFileAtomic } from '../atomicWrite';
import { ensureStateDir } from '../stateDir';
import { readStateFile, type StateFileRead } from '../pairing/stateFile';
import { baseConversationId } from '../config/allowlistEntry';
import { definedOnly } from '../definedOnly';
import { conversationKind, type Activity, type ConversationKind } from '../activity/activity';
import type { ActivityRecord } from '../activity/activityRecord';

/**
 * The conversations the gateway has seen, kept so the bot can be made to
 * write first (a proactive message) after a restart: what Teams sends with
 * each activity is the only way to learn a conversation's id and serviceUrl,
 * and a bot that lost them has to wait until someone writes again.
 *
 * Only references from requests that passed authentication (a valid Bot
 * Framework token, a local client in local mode, or the gateway's own
 * simulator) are kept: a rejected request's serviceUrl is whatever its sender
 * wrote. Bounded to the most recently active `capacity` conversations.
 *
 * One writer: the running gateway (it holds the state dir, stateDirLock.ts).
 * Others (the CLI, the extension while the webhook is stopped) only read, so
 * the file needs no lock, only atomic replacement. Writes are debounced (a
 * burst of messages is one write) and flushed by flush() when the gateway stops.
 */
export interface ConversationReferenceEntry {
  /**
   * The id to send to. A channel is kept by its channel id (the thread's
   * ";messageid=…" cut off), so one row stands for the channel and a message
   * sent to it starts a new post there.
   */
  id: string;
  kind: ConversationKind;
  serviceUrl: string;
  tenantId?: string;
  /** The bot as Teams addressed it (28:<appId>). */
  bot: { id: string; name?: string };
  /** The user of a personal chat; in group chats and channels, the last sender. */
  user?: { id: string; name?: string; aadObjectId?: string };
  /** A group chat's name, when it has one. */
  name?: string;
  team?: { id: string; name?: string };
  channel?: { id: string; name?: string };
  lastActivityAt: string;
  /** The activity log record of the last activity seen here (Show Activities). */
  lastRecordId: string;
  /** Seen through the gateway's simulator: messages to it go to the Activities view, not to Teams. */
  simulated?: boolean;
}

export const CONVERSATIONS_FILE = 'conversations.json';
export const DEFAULT_CONVERSATION_CAPACITY = 500;
const DEFAULT_DEBOUNCE_MS = 250;

export interface ConversationFileOnDisk {
  version: 1;
  /** Most recently active first. */
  conversations: ConversationReferenceEntry[];
}

/**
 * A known conversation's newer activity (its time and last record) is written after debounceMs times
 * this (2 s by default), a new conversation after debounceMs: a busy chat rewrote and fsynced the file
 * four times a second for a timestamp. stop() writes what is pending either way.
 */
const UPDATE_WRITE_FACTOR = 8;

/** How often a known conversation's newer activity is announced at most (see emitThrottled). */
const CHANGED_INTERVAL_MS = 250;

export type ConversationStoreEvents = {
  /** The list changed; most recently active first. */
  changed: ConversationReferenceEntry[];
};

export interface ConversationStoreOptions {
  /** The state dir; undefined keeps the store in memory only. */
  dir?: string;
  capacity?: number;
  debounceMs?: number;
  logger?: Logger;
}

/** The auth results of a request the gateway let through its door (see ActivityRecord.auth). */
const TRUSTED_AUTH = new Set<ActivityRecord['auth']>(['jwt-valid', 'local', 'simulated']);

export class ConversationStore extends TypedEmitter<ConversationStoreEvents> {
  readonly file: string | undefined;
  private readonly capacity: number;
  private readonly debounceMs: number;
  private readonly logger: Logger;
  /** Least recently active first: Map keeps insertion order, and an update re-inserts. */
  private entries = new Map<string, ConversationReferenceEntry>();
  private loaded = false;
  private timer?: NodeJS.Timeout;
  /** performance.now() when the pending write (timer) runs. */
  private writeDue = Infinity;
  private dirty = false;
  private chain: Promise<void> = Promise.resolve();
  /** The last write failed (read-only dir, disk full): said once, until a write works again. */
  private writeFailing = false;
  /** performance.now() of the last 'changed'; a trailing one is pending while emitTimer is set. */
  private lastEmit = -Infinity;
  private emitTimer?: NodeJS.Timeout;

  constructor(opts: ConversationStoreOptions = {}) {
    super();
    this.file = opts.dir === undefined ? undefined : path.join(path.resolve(opts.dir), CONVERSATIONS_FILE);
    this.capacity = Math.max(1, Math.floor(opts.capacity ?? DEFAULT_CONVERSATION_CAPACITY));
    this.debounceMs = Math.max(0, opts.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    this.logger = opts.logger ?? silentLogger;
  }

  /**
   * Reads the file once. A corrupt file is moved aside (conversations.json.corrupt-<time>)
   * with a warning saying why, and the store starts empty; an unreadable one is
   * warned about and left alone. Neither stops the gateway.
   */
  async load(): Promise<void> {
    if (this.loaded || !this.file) return;
    this.loaded = true;
    let read: StateFileRead<ConversationReferenceEntry[]>;
    try {
      read = await readStateFile(this.file, parseConversationFile);
    } catch (err) {
      this.logger.warn(`[conversations] ${(err as Error).message} Starting with no stored conversations.`);
      return;
    }
    if (read.kind === 'corrupt') {
      await this.moveAside(read.why);
      return;
    }
    if (read.kind === 'missing') return;
    // Records seen before load() finished are newer than the file's.
    const seen = this.entries;
    this.entries = new Map();
    for (const entry of [...read.state].reverse().slice(-this.capacity)) this.entries.set(entry.id, entry);
    for (const entry of seen.values()) this.put(entry);
    this.emit('changed', this.list());
  }

  /** Most recently active first. */
  list(): ConversationReferenceEntry[] {
    return [...this.entries.values()].reverse();
  }

  get(id: string): ConversationReferenceEntry | undefined {
    return this.entries.get(id) ?? this.entries.get(baseConversationId(id));
  }

  /**
   * Takes the reference from an inbound record, when the request was
   * authenticated and carries what a send needs. Returns whether the store
   * changed. A record older than the one already stored for its conversation
   * (a slow request finishing late) does not move it back.
   */
  observe(record: ActivityRecord): boolean {
    const entry = referenceFrom(record);
    if (!entry) return false;
    const before = this.entries.get(entry.id);
    if (before && before.lastRecordId >= entry.lastRecordId) return false;
    // Names arrive on some activities only (a channel's name on conversationUpdate): keep the last known.
    const merged: ConversationReferenceEntry = {
      ...entry,
      name: entry.name ?? before?.name,
      team: entry.team ? { ...entry.team, name: entry.team.name ?? before?.team?.name } : before?.team,
      channel: entry.channel ? { ...entry.channel, name: entry.channel.name ?? before?.channel?.name } : before?.channel,
      user: entry.user ?? before?.user,
    };
    this.put(definedOnly(merged));
    if (before) {
      this.emitThrottled();
      this.scheduleWrite(this.debounceMs * UPDATE_WRITE_FACTOR);
    } else {
      this.emitNow();
      this.scheduleWrite(this.debounceMs);
    }
    return true;
  }

  /** A new conversation is shown at once. */
  private emitNow(): void {
    clearTimeout(this.emitTimer);
    this.emitTimer = undefined;
    this.lastEmit = performance.now();
    this.emit('changed', this.list());
  }

  /**
   * A known conversation's newer activity (every message of a busy chat) is shown at most
   * every CHANGED_INTERVAL_MS, the last one always: copying the list for every listener on
   * every request cost the webhook ~20 µs a request (bench: null bot, concurrency 32) for a
   * view that shows "2 min ago".
   */
  private emitThrottled(): void {
    if (this.emitTimer) return;
    const wait = this.lastEmit + CHANGED_INTERVAL_MS - performance.now();
    if (wait <= 0) return this.emitNow();
    this.emitTimer = setTimeout(() => this.emitNow(), wait);
    this.emitTimer.unref();
  }

  /** Writes what is pending now (the gateway's stop()); resolves when it is on disk or its failure was reported. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) this.enqueueWrite();
    await this.chain;
  }

  private put(entry: ConversationReferenceEntry): void {
    this.entries.delete(entry.id);
    this.entries.set(entry.id, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Writes within `delayMs`, or sooner when a write is already due sooner. */
  private scheduleWrite(delayMs: number): void {
    if (!this.file) return;
    this.dirty = true;
    const due = performance.now() + delayMs;
    if (this.timer && this.writeDue <= due) return;
    clearTimeout(this.timer);
    this.writeDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enqueueWrite();
    }, delayMs);
    this.timer.unref();
  }

  /** One write at a time, each of the list as it is when it starts: the last one always carries the latest state. */
  private enqueueWrite(): void {
    this.chain = this.chain.then(() => this.write());
  }

  private async write(): Promise<void> {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    const text = `${JSON.stringify({ version: 1, conversations: this.list() } satisfies ConversationFileOnDisk, null, 2)}\n`;
    try {
      await ensureStateDir(path.dirname(this.file));
      await writeFileAtomic(this.file, text);
      if (this.writeFailing) this.logger.info(`[conversations] ${this.file} is written again.`);
      this.writeFailing = false;
    } catch (err) {
      this.dirty = true;
      if (!this.writeFailing) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        this.logger.warn(`[conversations] cannot write ${this.file} (${code}): conversations are kept in memory only and will be lost when the webhook stops. Make ${path.dirname(this.file)} writable, or point --state-dir / teamsBot.stateDir at a writable directory.`);
      }
      this.writeFailing = true;
    }
  }

  private async moveAside(why: string): Promise<void> {
    const file = this.file!;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    let target = `${file}.corrupt-${stamp}`;
    for (let n = 1; fs.existsSync(target); n++) target = `${file}.corrupt-${stamp}-${n}`;
    try {
      await fsp.rename(file, target);
      this.logger.warn(`[conversations] ${file} was unreadable (${why}); moved it to ${target} and started with no stored conversations. They come back as people write to the bot.`);
    } catch (err) {
      this.logger.warn(`[conversations] ${file} is unreadable (${why}) and could not be moved aside (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); starting with no stored conversations, and the next save replaces it.`);
    }
  }
}

/** The conversation reference an inbound record carries, or undefined when it is not one to keep. */
export function referenceFrom(record: ActivityRecord): ConversationReferenceEntry | undefined {
  if (record.direction !== 'inbound' || record.fate === 'rejected' || !TRUSTED_AUTH.has(record.auth)) return undefined;
  const activity = record.activity as Activity | undefined;
  const serviceUrl = activity?.serviceUrl;
  const conversationId = activity?.conversation?.id;
  const botId = activity?.recipient?.id;
  if (typeof serviceUrl !== 'string' || !serviceUrl || typeof conversationId !== 'string' || !conversationId || typeof botId !== 'string' || !botId) return undefined;
  const kind = conversationKind(activity!);
  const data = activity!.channelData;
  const from = activity!.from;
  const user = from?.id && from.id !== botId ? { id: from.id, name: from.name, aadObjectId: from.aadObjectId } : undefined;
  return definedOnly({
    id: kind === 'channel' ? baseConversationId(conversationId) : conversationId,
    kind,
    serviceUrl,
    tenantId: activity!.conversation?.tenantId ?? data?.tenant?.id,
    bot: definedOnly({ id: botId, name: activity!.recipient?.name }),
    user: user && definedOnly(user),
    name: kind === 'groupChat' ? activity!.conversation?.name : undefined,
    team: data?.team?.id ? definedOnly({ id: data.team.id, name: data.team.name }) : undefined,
    channel: data?.channel?.id ? definedOnly({ id: data.channel.id, name: data.channel.name }) : undefined,
    lastActivityAt: record.time,
    lastRecordId: record.id,
    simulated: record.auth === 'simulated' || undefined,
  });
}

/**
 * The Bot Framework ConversationReference of an entry (Copy Conversation
 * Reference): what botbuilder's continueConversation and the Teams SDK's
 * proactive send take.
 */
export function toConversationReference(entry: ConversationReferenceEntry): Record<string, unknown> {
  return definedOnly({
    bot: entry.bot,
    user: entry.kind === 'personal' ? entry.user : undefined,
    conversation: definedOnly({
      id: entry.id,
      conversationType: entry.kind,
      isGroup: entry.kind === 'personal' ? undefined : true,
      tenantId: entry.tenantId,
      name: entry.name,
    }),
    channelId: 'msteams',
    serviceUrl: entry.serviceUrl,
  });
}

/** "Alice Wilber", "Project chat", "Contoso › General": who or where, for lists. */
export function conversationLabel(entry: ConversationReferenceEntry): string {
  if (entry.kind === 'channel') {
    const team = entry.team?.name ?? entry.team?.id;
    const channel = entry.channel?.name ?? entry.channel?.id ?? entry.id;
    return team ? `${team} › ${channel}` : channel;
  }
  if (entry.kind === 'groupChat') return entry.name ?? `Group chat${entry.user?.name ? ` (last: ${entry.user.name})` : ''}`;
  return entry.user?.name ?? entry.user?.id ?? entry.id;
}

/**
 * The stored conversations of a state dir, for readers that are not the
 * gateway (the CLI): reads, never creates or moves anything. A missing file
 * is an empty list; a corrupt one throws with why (the gateway moves it aside
 * at its next start).
 */
export async function readConversations(stateDir: string): Promise<ConversationReferenceEntry[]> {
  const file = path.join(path.resolve(stateDir), CONVERSATIONS_FILE);
  const read = await readStateFile(file, parseConversationFile);
  if (read.kind === 'missing') return [];
  if (read.kind === 'corrupt') throw new Error(`${file} is unreadable (${read.why}); the gateway moves it aside and starts afresh when it next starts.`);
  return read.state;
}

export function parseConversationFile(raw: string): { ok: true; state: ConversationReferenceEntry[] } | { ok: false; why: string } {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return { ok: false, why: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, why: 'not a JSON object' };
  const d = data as Partial<ConversationFileOnDisk>;
  if (d.version !== 1) return { ok: false, why: `unsupported version ${JSON.stringify(d.version)}` };
  if (!Array.isArray(d.conversations)) return { ok: false, why: '"conversations" is not a list' };
  for (const [i, c] of d.conversations.entries()) {
    const e = c as Partial<ConversationReferenceEntry> | null;
    if (!e || typeof e.id !== 'string' || typeof e.serviceUrl !== 'string' || typeof e.bot?.id !== 'string' || typeof e.lastActivityAt !== 'string' || typeof e.lastRecordId !== 'string' || !['personal', 'groupChat', 'channel'].includes(e.kind as string)) {
      return { ok: false, why: `conversations[${i}] lacks id, kind, serviceUrl, bot.id, lastActivityAt or lastRecordId` };
    }
  }
  return { ok: true, state: d.conversations };
}
