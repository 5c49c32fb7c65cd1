import type { ChannelAccount } from '../activity/activity';
import { PROVIDER_PREFIX, baseConversationId, isWildcardEntry, looksLikeConversationId, senderIdKey } from '../config/allowlistEntry';

/**
 * Does an allowFrom / groupAllowFrom list admit a sender? The entry forms and
 * comparisons are OpenClaw's msteams channel's (extensions/msteams/src/
 * ingress-identity.ts and the channel ingress it feeds), so that an operator's
 * pasted OpenClaw list admits exactly the same people here:
 *
 * - `*` (any case, spaces trimmed) admits everyone;
 * - a sender entry is compared, lowercased, with the sender's AAD object id,
 *   or with from.id only when the sender has no AAD object id: Teams users
 *   always have one, so a `29:` entry admits nobody who has;
 * - `msteams:` / `teams:` and then `user:` prefixes are stripped;
 *   a `conversation:` entry never names a sender;
 * - in a group chat or channel, an entry equal to the conversation id admits
 *   every sender there: compared exactly (conversation ids are opaque, so case
 *   matters), with any `;messageid=…` suffix ignored on both sides; never in a
 *   personal chat;
 * - with dangerouslyAllowNameMatching, an entry equal to the display name
 *   (case-insensitive) admits; a value shaped like a conversation id is never
 *   a name, so nobody can name themselves after an allowed chat.
 *
 * The list must already have its access groups expanded (effectiveList).
 */
export interface AllowSubject {
  from: ChannelAccount;
  /** The group chat or channel id; undefined in a personal chat, where conversation entries admit nobody. */
  conversationId?: string;
}

export type AllowMatch =
  | { matched: true; by: 'wildcard' | 'id' | 'conversation' | 'name'; entry: string }
  | { matched: false };

export function matchAllowlist(entries: readonly string[], subject: AllowSubject, nameMatching: boolean): AllowMatch {
  const from = subject.from;
  const senderKey = senderIdKey(from.aadObjectId ?? from.id);
  const conversationKey = subject.conversationId === undefined ? undefined : conversationIdKey(subject.conversationId);
  const nameKey = nameMatching ? senderNameKey(from.name ?? from.id) : undefined;
  for (const e of entryKeys(entries)) {
    if (e.wildcard) return { matched: true, by: 'wildcard', entry: e.entry };
    if (senderKey && e.senderKey === senderKey) return { matched: true, by: 'id', entry: e.entry };
    if (conversationKey && e.conversationKey === conversationKey) return { matched: true, by: 'conversation', entry: e.entry };
    if (nameKey && e.nameKey === nameKey) return { matched: true, by: 'name', entry: e.entry };
  }
  return { matched: false };
}

interface EntryKeys {
  entry: string;
  wildcard: boolean;
  senderKey: string | undefined;
  conversationKey: string | undefined;
  nameKey: string | undefined;
}

/**
 * Each entry's comparison keys, worked out once per list: the list is the config's (or its
 * access-group expansion, kept per config by effectiveList), replaced on reload and never changed in
 * place, and every request compared every entry again (a 20-entry list: ~5 µs a request).
 */
const keysOfList = new WeakMap<readonly string[], EntryKeys[]>();

function entryKeys(entries: readonly string[]): EntryKeys[] {
  let keys = keysOfList.get(entries);
  if (!keys) {
    keys = entries.map((entry) => ({ entry, wildcard: isWildcardEntry(entry), senderKey: senderIdKey(entry), conversationKey: conversationIdKey(entry), nameKey: senderNameKey(entry) }));
    keysOfList.set(entries, keys);
  }
  return keys;
}

function conversationIdKey(raw: string): string | undefined {
  const trimmed = raw.trim();
  return trimmed ? baseConversationId(trimmed) : undefined;
}

function senderNameKey(raw: string | undefined): string | undefined {
  const lowered = raw?.trim().toLowerCase();
  if (!lowered) return undefined;
  return looksLikeConversationId(baseConversationId(lowered.replace(PROVIDER_PREFIX, ''))) ? undefined : lowered;
}
