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

/** Teams marks channels and group chats explicitly; anything else is a 1:1 chat. */
export function conversationKind(activity: Activity): ConversationKind {
  const type = activity.conversation?.conversationType;
  if (type === 'channel' || activity.channelData?.channel?.id) return 'channel';
  if (type === 'groupChat' || activity.conversation?.isGroup) return 'groupChat';
  return 'personal';
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
