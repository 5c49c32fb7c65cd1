import { conversationKind, hasConflictingScope, mentionsBot, type Activity, type ChannelAccount, type ConversationKind } from '../activity/activity';
import type { Reason } from '../reasons';
import type { TeamsBotConfig } from '../config/configTypes';
import { effectiveList } from '../config/accessGroups';
import { matchAllowlist, type AllowMatch } from './allowlistMatch';
import { baseConversationId, isWildcardEntry } from '../config/allowlistEntry';
import { resolveTeamRoute, routeRequiresMention } from './teamRoute';

/**
 * The access policy: a pure function of (activity, config, pairing state).
 * It decides as OpenClaw's msteams channel does (extensions/msteams/src/
 * monitor-handler/access.ts and the channel ingress it uses), so a pasted
 * OpenClaw config admits the same people; README "Decisions" lists the order
 * of checks and "Differences from OpenClaw" the few deliberate divergences.
 *
 * - personal chats: dmPolicy + allowFrom, plus approved pairings under
 *   dmPolicy "pairing" only (as OpenClaw's pairing store);
 * - group chats and channels: the teams/channels gate, groupPolicy +
 *   groupAllowFrom (allowFrom when that is unset or empty; never approved
 *   pairings), then mention gating with per-team and per-channel overrides.
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
  /**
   * True when a pairing approval admits this sender to personal chats. Consulted
   * only for personal chats under dmPolicy "pairing", never for group chats or
   * channels (an approval is a DM permission, as in OpenClaw).
   */
  isApproved?(from: { id: string; aadObjectId?: string }): boolean;
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
    if (hasConflictingScope(activity)) {
      return drop('dm-conflicting-scope', `personal chat from ${who} that also carries ${scopeMarkers(activity)}: a personal chat cannot belong to a group, team or channel, so the scope is not trusted`);
    }
    if (config.dmPolicy === 'disabled') {
      return drop('dm-disabled', `personal chat from ${who}: dmPolicy is "disabled"`);
    }
    const allowFrom = effectiveList(config.allowFrom, config);
    const listed = matchAllowlist(allowFrom, { from: sender }, config.dangerouslyAllowNameMatching);
    if (config.dmPolicy === 'open') {
      // OpenClaw admits open DMs through "*" in allowFrom (its schema requires it); without it we still
      // admit everyone, as "open" says, and the config checks warn (README: Differences from OpenClaw).
      if (!allowFrom.some(isWildcardEntry) && listed.matched) {
        return accept(acceptedReason('dm-allowlisted'), `personal chat from ${who}, who is in allowFrom (${matchedBy(listed)})`);
      }
      return accept(acceptedReason('dm-open'), `personal chat from ${who}: dmPolicy is "open"`);
    }
    if (listed.matched) {
      return accept(acceptedReason('dm-allowlisted'), `personal chat from ${who}, who is in allowFrom (${matchedBy(listed)})`);
    }
    const approved = pairing.isApproved?.({ id: sender.id, aadObjectId: sender.aadObjectId }) === true;
    if (approved && config.dmPolicy === 'pairing') {
      return accept(acceptedReason('dm-allowlisted'), `personal chat from ${who}, whose pairing was approved`);
    }
    if (config.dmPolicy === 'pairing' && isMessage) {
      if (!pairing.isPending(sender.id) && pairing.pendingCount >= config.pairing.maxPending) {
        return drop('dm-pairing-full', `personal chat from ${who}, who is not in allowFrom; no pairing code issued because ${pairing.pendingCount} requests are pending (pairing.maxPending): approve or reject some`);
      }
      return drop('dm-pairing-pending', `personal chat from ${who}, who is not in allowFrom: waiting for the pairing code to be approved`);
    }
    const why =
      approved ? ` (their pairing was approved, but approvals count only under dmPolicy "pairing": add them to allowFrom)`
      : config.dmPolicy === 'pairing' ? ' (only a message starts a pairing)'
      : '';
    return drop('dm-not-allowlisted', `${activity.type} in a personal chat from ${who}, who is not in allowFrom${why}`);
  }

  const where = kind === 'channel' ? 'channel' : 'group chat';
  const route = resolveTeamRoute(activity, config);
  if (!route.allowed) {
    const teamId = activity.channelData?.team?.id;
    if (route.team) {
      return drop('channel-not-listed', `${where} message in ${conversationLabel(activity)}: team "${route.teamKey}" lists channels, and this conversation is not one of them`);
    }
    const fromTeam = teamId ? `team ${teamId}` : 'no team (only a "*" team admits a group chat)';
    return drop('team-not-listed', `${where} message from ${fromTeam}, which matches no key under "teams"`);
  }

  if (config.groupPolicy === 'disabled') {
    return drop('group-disabled', `${where} message from ${who}: groupPolicy is "disabled"`);
  }

  let senderReason: Reason = 'group-open';
  let how = '';
  if (config.groupPolicy === 'allowlist') {
    // An empty groupAllowFrom falls back to allowFrom just like an unset one (OpenClaw's
    // resolveGroupAllowFromSources); approved pairings never count here.
    const ownList = config.groupAllowFrom !== undefined && config.groupAllowFrom.length > 0;
    const listName = ownList ? 'groupAllowFrom' : config.groupAllowFrom === undefined ? 'allowFrom' : 'allowFrom (groupAllowFrom is empty)';
    const list = effectiveList(ownList ? config.groupAllowFrom! : config.allowFrom, config);
    const listed = matchAllowlist(list, { from: sender, conversationId: baseConversationId(activity.conversation?.id ?? '') }, config.dangerouslyAllowNameMatching);
    if (!listed.matched) {
      const empty = list.length === 0 ? ', which lists nobody' : '';
      return drop('group-not-allowlisted', `${where} message from ${who}, who is not in ${listName}${empty}`);
    }
    senderReason = 'group-allowlisted';
    how = `, admitted by ${listName} (${matchedBy(listed)})`;
  }

  if (isMessage && routeRequiresMention(route, config) && !mentionsBot(activity)) {
    return drop('mention-required', `${where} message from ${who} does not @mention the bot, and requireMention is on here`);
  }

  return accept(acceptedReason(senderReason), `${where} message from ${who}${how}`);
}

/** Channel override, then team override, then the top-level setting, matched as the teams gate matches. */
export function requiresMention(activity: Activity, config: TeamsBotConfig): boolean {
  return routeRequiresMention(resolveTeamRoute(activity, config), config);
}

/** Channel posts arrive as "19:x@thread.tacv2;messageid=123"; overrides are keyed by the part before ";". */
export function channelConversationId(activity: Activity): string | undefined {
  return activity.conversation?.id === undefined ? undefined : baseConversationId(activity.conversation.id);
}

function matchedBy(match: Extract<AllowMatch, { matched: true }>): string {
  switch (match.by) {
    case 'wildcard': return 'entry "*"';
    case 'conversation': return `this conversation is listed as "${match.entry}"`;
    case 'name': return `display name, as "${match.entry}" (dangerouslyAllowNameMatching)`;
    default: return `as "${match.entry}"`;
  }
}

function scopeMarkers(activity: Activity): string {
  const markers: string[] = [];
  if (activity.conversation?.isGroup === true) markers.push('conversation.isGroup');
  if (activity.channelData?.team !== undefined) markers.push('channelData.team');
  if (activity.channelData?.channel !== undefined) markers.push('channelData.channel');
  return markers.join(' and ');
}

function conversationLabel(activity: Activity): string {
  const name = activity.channelData?.channel?.name;
  const id = channelConversationId(activity) ?? '(no conversation id)';
  return name ? `"${name}" (${id})` : id;
}

function describeSender(activity: Activity): string {
  const from: ChannelAccount = activity.from!;
  const name = from.name ? `${from.name} ` : '';
  const aad = from.aadObjectId ? `, aadObjectId ${from.aadObjectId}` : '';
  return `${name}(${from.id}${aad})`;
}
