import { conversationKind, mentionsBot, type Activity, type ConversationKind } from './activity';
import type { Reason } from './reasons';
import type { TeamsBotConfig } from './config/configTypes';
import { effectiveList } from './config/accessGroups';

/**
 * The access policy: a pure function of (activity, config, pairing state).
 * Semantics follow the Microsoft Teams channel configuration:
 * - personal chats: dmPolicy + allowFrom;
 * - group chats and channels: groupPolicy + groupAllowFrom (falls back to
 *   allowFrom), the teams list, and mention gating with per-team and
 *   per-channel overrides.
 * Non-message activities:
 * - conversationUpdate / installationUpdate / endOfConversation are lifecycle
 *   events the bot needs (greeting, cleanup) and carry no user content:
 *   always delivered;
 * - invoke, reactions, message updates/deletes and other user events follow
 *   the sender rules but are never mention-gated (a card button click has no
 *   @mention) and never start a pairing (only a message does).
 */
export interface PairingState {
  /** True when this sender already has a pending request. */
  isPending(senderId: string): boolean;
  pendingCount: number;
}

export type Decision =
  | { accept: true; reason: Reason; kind: ConversationKind; detail: string }
  | { accept: false; reason: Reason; kind: ConversationKind; detail: string };

export const LIFECYCLE_TYPES = new Set(['conversationUpdate', 'installationUpdate', 'endOfConversation']);

export function decide(activity: Activity, config: TeamsBotConfig, pairing: PairingState): Decision {
  const kind = conversationKind(activity);
  const accept = (reason: Reason, detail: string): Decision => ({ accept: true, reason, kind, detail });
  const drop = (reason: Reason, detail: string): Decision => ({ accept: false, reason, kind, detail });

  if (LIFECYCLE_TYPES.has(activity.type)) {
    return accept('lifecycle', `${activity.type} is a lifecycle event and is always delivered`);
  }

  const sender = activity.from;
  if (!sender?.id) return drop('no-sender', `${activity.type} activity has no from.id`);
  if (activity.recipient?.id && sender.id === activity.recipient.id) {
    return drop('self-message', `the activity comes from the bot's own account ${sender.id}`);
  }

  const who = describeSender(activity);
  const isMessage = activity.type === 'message';
  const acceptedReason = (r: Reason): Reason => (activity.type === 'invoke' ? 'invoke' : r);

  if (kind === 'personal') {
    switch (config.dmPolicy) {
      case 'disabled':
        return drop('dm-disabled', `personal chat from ${who}: dmPolicy is "disabled"`);
      case 'open':
        return accept(acceptedReason('dm-open'), `personal chat from ${who}: dmPolicy is "open"`);
      default:
        break;
    }
    if (isAllowed(activity, config.allowFrom, config)) {
      return accept(acceptedReason('dm-allowlisted'), `personal chat from ${who}, who is in allowFrom`);
    }
    if (config.dmPolicy === 'pairing' && isMessage) {
      if (!pairing.isPending(sender.id) && pairing.pendingCount >= config.pairing.maxPending) {
        return drop('dm-pairing-full', `personal chat from ${who}, who is not in allowFrom; no pairing code issued because ${pairing.pendingCount} requests are pending (pairing.maxPending): approve or reject some`);
      }
      return drop('dm-pairing-pending', `personal chat from ${who}, who is not in allowFrom: waiting for the pairing code to be approved`);
    }
    const why = config.dmPolicy === 'pairing' ? ' (only a message starts a pairing)' : '';
    return drop('dm-not-allowlisted', `${activity.type} in a personal chat from ${who}, who is not in allowFrom${why}`);
  }

  const where = kind === 'channel' ? 'channel' : 'group chat';
  if (config.groupPolicy === 'disabled') {
    return drop('group-disabled', `${where} message from ${who}: groupPolicy is "disabled"`);
  }

  const teamId = activity.channelData?.team?.id;
  const team = teamId ? own(config.teams, teamId) : undefined;
  if (kind === 'channel' && Object.keys(config.teams).length > 0 && !team) {
    return drop('team-not-listed', `channel message from team ${teamId ?? '(no team id)'}, which is not under "teams"`);
  }

  let senderReason: Reason = 'group-open';
  if (config.groupPolicy === 'allowlist') {
    const list = config.groupAllowFrom ?? config.allowFrom;
    const listName = config.groupAllowFrom ? 'groupAllowFrom' : 'allowFrom';
    if (!isAllowed(activity, list, config)) {
      return drop('group-not-allowlisted', `${where} message from ${who}, who is not in ${listName}`);
    }
    senderReason = 'group-allowlisted';
  }

  if (isMessage && requiresMention(activity, config) && !mentionsBot(activity)) {
    return drop('mention-required', `${where} message from ${who} does not @mention the bot, and requireMention is on here`);
  }

  return accept(acceptedReason(senderReason), `${where} message from ${who}`);
}

/** Channel override, then team override, then the top-level setting. */
export function requiresMention(activity: Activity, config: TeamsBotConfig): boolean {
  const team = activity.channelData?.team?.id ? own(config.teams, activity.channelData.team.id) : undefined;
  const channels = team?.channels ?? {};
  const channelKey = channelConversationId(activity);
  const channel = (channelKey ? own(channels, channelKey) : undefined) ?? (activity.channelData?.channel?.id ? own(channels, activity.channelData.channel.id) : undefined);
  return channel?.requireMention ?? team?.requireMention ?? config.requireMention;
}

/** Channel posts arrive as "19:x@thread.tacv2;messageid=123"; overrides are keyed by the part before ";". */
export function channelConversationId(activity: Activity): string | undefined {
  return activity.conversation?.id?.split(';')[0];
}

/** Ids come from the sender: "constructor" or "__proto__" must not find Object.prototype's members. */
function own<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

function isAllowed(activity: Activity, list: readonly string[], config: TeamsBotConfig): boolean {
  const entries = effectiveList(list, config).map((e) => e.toLowerCase());
  if (entries.length === 0) return false;
  const from = activity.from!;
  const candidates = [from.aadObjectId, from.id];
  if (config.dangerouslyAllowNameMatching) candidates.push(from.name);
  return candidates.some((c) => typeof c === 'string' && entries.includes(c.toLowerCase()));
}

function describeSender(activity: Activity): string {
  const from = activity.from!;
  const name = from.name ? `${from.name} ` : '';
  const aad = from.aadObjectId ? `, aadObjectId ${from.aadObjectId}` : '';
  return `${name}(${from.id}${aad})`;
}
