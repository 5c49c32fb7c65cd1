/**
 * The slice of a Bot Framework activity the gateway reads. Everything else in
 * the body is kept as-is and forwarded untouched, so the type stays open.
 */
export interface ChannelAccount {
  id: string;
  name?: string;
  aadObjectId?: string;
  role?: string;
}

export interface ConversationAccount {
  id: string;
  name?: string;
  conversationType?: 'personal' | 'groupChat' | 'channel' | string;
  isGroup?: boolean;
  tenantId?: string;
}

export interface MentionEntity {
  type: string;
  mentioned?: ChannelAccount;
  text?: string;
}

export interface TeamsChannelData {
  team?: { id: string; name?: string; aadGroupId?: string };
  channel?: { id: string; name?: string };
  tenant?: { id: string };
  eventType?: string;
  [key: string]: unknown;
}

export interface Activity {
  type: string;
  id?: string;
  name?: string;
  timestamp?: string;
  serviceUrl?: string;
  channelId?: string;
  from?: ChannelAccount;
  recipient?: ChannelAccount;
  conversation?: ConversationAccount;
  text?: string;
  textFormat?: string;
  replyToId?: string;
  entities?: MentionEntity[];
  channelData?: TeamsChannelData;
  value?: unknown;
  [key: string]: unknown;
}

export type ConversationKind = 'personal' | 'groupChat' | 'channel';

/**
 * Classified as OpenClaw's msteams channel does (monitor-handler/access.ts), so
 * both decide on the same kind: "personal" when conversationType says so, or
 * when it is absent and isGroup is not set; "channel" when it says channel;
 * any other conversation is a group chat. A personal chat that still carries
 * group, team or channel markers is personal here, and the policy drops it as
 * a conflicting scope (hasConflictingScope) rather than guessing which is true.
 */
export function conversationKind(activity: Activity): ConversationKind {
  const type = typeof activity.conversation?.conversationType === 'string' ? activity.conversation.conversationType.trim().toLowerCase() : '';
  if (type === 'personal' || (!type && !activity.conversation?.isGroup)) return 'personal';
  return type === 'channel' ? 'channel' : 'groupChat';
}

/** A personal chat with group, team or channel markers: Bot Framework never sends one, so it is refused, not trusted. */
export function hasConflictingScope(activity: Activity): boolean {
  return (
    conversationKind(activity) === 'personal' &&
    (activity.conversation?.isGroup === true || activity.channelData?.team !== undefined || activity.channelData?.channel !== undefined)
  );
}

/** True when one of the activity's mention entities names the bot (the recipient). */
export function mentionsBot(activity: Activity): boolean {
  const botId = activity.recipient?.id;
  if (!botId || !Array.isArray(activity.entities)) return false;
  return activity.entities.some(
    (e) => e && e.type === 'mention' && e.mentioned && e.mentioned.id === botId,
  );
}

/** Cheap structural check: is this JSON value shaped like an activity at all? */
export function isActivity(value: unknown): value is Activity {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}
