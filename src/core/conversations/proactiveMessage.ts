import type { Activity } from '../activity/activity';
import { definedOnly } from '../definedOnly';
import type { ConversationReferenceEntry } from './conversationStore';

/**
 * The message a bot sends first into a stored conversation: a new message
 * (no replyToId), from the bot account Teams addressed there, to the stored
 * conversation's serviceUrl. The gateway's Send Message as Bot and the CLI's
 * `send` both build it here, so they send the same thing.
 */
export function proactiveMessage(entry: ConversationReferenceEntry, text: string): { target: { serviceUrl: string; conversationId: string }; activity: Partial<Activity> } {
  return {
    target: { serviceUrl: entry.serviceUrl, conversationId: entry.id },
    activity: definedOnly({
      type: 'message',
      text,
      textFormat: 'plain',
      from: definedOnly({ id: entry.bot.id, name: entry.bot.name }),
      recipient: entry.kind === 'personal' && entry.user ? definedOnly({ id: entry.user.id, name: entry.user.name, aadObjectId: entry.user.aadObjectId }) : undefined,
      conversation: definedOnly({ id: entry.id, conversationType: entry.kind, isGroup: entry.kind === 'personal' ? undefined : true, tenantId: entry.tenantId }),
      channelData: entry.tenantId ? { tenant: { id: entry.tenantId } } : undefined,
    }),
  };
}
