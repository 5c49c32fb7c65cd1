import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions, type Node as JsonNode } from 'jsonc-parser';
import { withFileLock } from '../fileLock';
import { resolveSymlinks, writeFileAtomic } from '../atomicWrite';
import type { PathSegment } from './configPath';

/**
 * Every write the product makes to teams-bot.config.json goes through here:
 * jsonc-parser edits keep the developer's comments and layout, a lock keeps
 * the CLI and a running extension from overwriting each other, and the
 * rename makes each write all-or-nothing.
 */
export interface ConfigEdit {
  path: PathSegment[];
  /** undefined removes the key. */
  value: unknown;
}

const FORMAT: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };

export async function editConfigFile(file: string, edits: ConfigEdit[]): Promise<string> {
  return withConfigLock(file, async () => {
    const text = await readOrStarter(file);
    let next = text;
    for (const edit of edits) {
      next = applyEdits(next, modify(next, edit.path, edit.value, { formattingOptions: detectFormat(next) }));
    }
    if (next !== text) await writeFileAtomic(file, next);
    return next;
  });
}

/**
 * Adds a sender to allowFrom unless already there. Returns false when it was
 * already allowed, so callers can say so instead of claiming a change.
 */
export async function addToAllowFrom(file: string, entry: string, key: 'allowFrom' | 'groupAllowFrom' = 'allowFrom'): Promise<boolean> {
  let added = false;
  await withConfigLock(file, async () => {
    const text = await readOrStarter(file);
    const root = parseTree(text, [], { allowTrailingComma: true });
    const array = root ? findNodeAtLocation(root, [key]) : undefined;
    const items = array?.type === 'array' ? array.children ?? [] : undefined;
    if (items?.some((item) => item.value === entry)) return;
    const edits = items
      ? modify(text, [key, insertIndex(text, array!, items)], entry, { formattingOptions: detectFormat(text), isArrayInsertion: true })
      : modify(text, [key], [entry], { formattingOptions: detectFormat(text) });
    await writeFileAtomic(file, applyEdits(text, edits));
    added = true;
  });
  return added;
}

/**
 * Append, unless the last entry carries a trailing comment: jsonc-parser would
 * leave that comment behind the new entry, so insert first instead.
 */
function insertIndex(text: string, array: JsonNode, items: JsonNode[]): number {
  if (items.length === 0) return 0;
  const last = items[items.length - 1];
  const tail = text.slice(last.offset + last.length, array.offset + array.length);
  return /\/\/|\/\*/.test(tail) ? 0 : items.length;
}

/** The commented file that Create Config writes and a first approval creates. */
export function starterConfigText(): string {
  return `{
  // The bot's Microsoft App ID. Leave it out to run in local mode: only
  // loopback clients (Agents Playground, Simulate Incoming Message) are accepted.
  // "appId": "00000000-0000-0000-0000-000000000000",
  // "tenantId": "00000000-0000-0000-0000-000000000000",
  // The app password never goes here: run "Teams Bot: Set App Password",
  // or set MSTEAMS_APP_PASSWORD for the CLI.

  "webhook": { "port": 3978, "path": "/api/messages" },

  // Personal chats: "pairing" gives unknown senders a code to approve.
  "dmPolicy": "pairing",
  // Approved senders (AAD object ids). Approving a pairing code adds one here.
  "allowFrom": [],

  // Group chats and channels: by default only allowFrom senders, and only
  // when they @mention the bot. "open" lets anyone in the chat through.
  // "groupPolicy": "open",
  "requireMention": true,

  "pairing": { "autoReply": true, "codeTtlMinutes": 60, "maxPending": 20 },

  // Where accepted activities go: your bot's endpoint, or the built-in echo bot.
  "bot": { "echo": true }
  // "bot": { "url": "http://127.0.0.1:3979/api/messages" }
}
`;
}

async function readOrStarter(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return starterConfigText();
    throw err;
  }
}

/** A peer's config edit takes a few ms; a lock held longer than this is reported (ELOCKED), not waited out. */
const CONFIG_LOCK_WAIT_MS = 5_000;

async function withConfigLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  // Lock what is written: two symlinks to one config must not take two different locks.
  const target = await resolveSymlinks(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  // The shared lock (src/core/fileLock.ts): a read-only folder fails at once; only a held lock is waited for.
  return withFileLock(target, { lockWaitMs: CONFIG_LOCK_WAIT_MS }, fn);
}

/** Keep the file's own indentation (tabs or n spaces) so an edit doesn't reformat a diff. */
function detectFormat(text: string): FormattingOptions {
  const m = /\n([ \t]+)"/.exec(text);
  if (!m) return FORMAT;
  if (m[1].startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol: '\n' };
  return { insertSpaces: true, tabSize: m[1].length, eol: '\n' };
}
