/**
 * The syntax of one allowFrom / groupAllowFrom entry (OpenClaw's msteams
 * forms): what the config checks (semanticChecks.ts) and the policy's matching
 * (policy/allowlistMatch.ts) both read. Plain string functions with no
 * imports, in config because the entry is config syntax: policy depends on
 * config, never the other way round.
 */

/** True for `*`: the entry that makes a list admit everyone. */
export function isWildcardEntry(entry: string): boolean {
  return entry.trim().toLowerCase() === '*';
}

/** Teams conversation ids of channel replies carry ";messageid=…"; the conversation is the part before ";". */
export function baseConversationId(id: string): string {
  return id.split(';')[0];
}

/** `msteams:` or `teams:` before an entry. */
export const PROVIDER_PREFIX = /^(msteams|teams):/;

/** The sender id an entry names, lowercased, or undefined for a `conversation:` entry (which names no sender). */
export function senderIdKey(raw: string | undefined): string | undefined {
  const lowered = raw?.trim().toLowerCase();
  if (!lowered) return undefined;
  const unscoped = lowered.replace(PROVIDER_PREFIX, '').trim();
  if (unscoped.startsWith('conversation:')) return undefined;
  // OpenClaw strips the provider prefix a second time before user:/conversation: (normalizeMSTeamsUserInput).
  return unscoped.replace(PROVIDER_PREFIX, '').replace(/^(user|conversation):/, '').trim() || undefined;
}

/** Bot Framework and Graph conversation id shapes (OpenClaw's looksLikeMSTeamsConversationId). */
export function looksLikeConversationId(raw: string): boolean {
  const trimmed = raw.trim();
  if (!trimmed) return false;
  return (
    /^conversation:/i.test(trimmed) ||
    /^19:.+@thread\.(?:tacv2|skype|v2)$/i.test(trimmed) ||
    /^19:.+@unq\.gbl\.spaces$/i.test(trimmed) ||
    /^a:1[A-Za-z0-9_-]+$/i.test(trimmed) ||
    /^8:orgid:[A-Za-z0-9-]+$/i.test(trimmed) ||
    /@thread\b/i.test(trimmed)
  );
}
