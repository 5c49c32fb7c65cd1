import type { ActivityRecord } from '../activity/activityRecord';

/**
 * The chat panel's vocabulary, shared by the core (chatActivities.ts builds
 * Teams-shaped activities from it, chatSession.ts runs them through the
 * gateway) and the UI (the Chat webview). Plain data only: the webview
 * receives these over postMessage.
 */

/** A person in the simulated Teams tenant. `id` is the Teams user id ("29:…"); aadObjectId is what allowFrom lists usually hold. */
export interface ChatUser { id: string; name: string; aadObjectId?: string }

/**
 * Where a message is sent. A personal chat's id is derived (one stable
 * conversation per user); a group chat and a channel carry their own ids.
 */
export type ChatConversation =
  | { kind: 'personal'; user: ChatUser }
  | { kind: 'groupChat'; id: string; name?: string; members: ChatUser[] }
  /**
   * A channel of a team. Without threadId each message starts a new thread, as a new post does in Teams
   * (its conversation id is "<channelId>;messageid=<its own id>"); with threadId (the root post's id) it
   * is a reply in that thread (";messageid=<threadId>"). Bot events for any thread of the channel reach the session.
   */
  | { kind: 'channel'; teamId: string; teamName?: string; channelId: string; channelName?: string; threadId?: string };

/** What the user does in the chat; each becomes one activity as Teams would send it. */
export type ChatInput =
  /** A message; mentionBot (and mentions) are sent as Teams sends them: `<at>Name</at>` in the text plus a mention entity. */
  | { type: 'message'; text: string; mentionBot?: boolean; mentions?: ChatUser[] }
  /**
   * Action.Submit on a card: a message activity whose `value` is the card's data. A messageBack button
   * (on a card or a suggested action) also sends its hidden `text`.
   */
  | { type: 'submit'; value: unknown; text?: string; replyToId?: string }
  /** An invoke: adaptiveCard/action (Action.Execute), task/fetch, task/submit, … The bot's HTTP answer comes back as invokeResponse. */
  | { type: 'invoke'; name: string; value: unknown; replyToId?: string }
  /** conversationUpdate; 'bot' means the bot itself was added or removed. */
  | { type: 'membersAdded' | 'membersRemoved'; members: ChatUser[] | 'bot' }
  | { type: 'installationUpdate'; action: 'add' | 'remove' }
  /** messageReaction on one of the bot's messages (replyToId is its activity id). */
  | { type: 'reaction'; reactionType: string; replyToId: string; action: 'add' | 'remove' }
  /** Teams sends these as messageUpdate with channelData.eventType editMessage / softDeleteMessage. */
  | { type: 'messageEdited'; messageId: string; text: string }
  | { type: 'messageDeleted'; messageId: string };

export interface ChatSendResult {
  /** What was sent (the user's side of the transcript). */
  activity: Record<string, unknown>;
  /** Fate, reason and detail: shown beside the message when it was not delivered. */
  record: ActivityRecord;
  /** The bot's HTTP answer to an invoke (e.g. the refreshed card); absent for other inputs. */
  invokeResponse?: { status: number; body?: unknown };
}

/** One thing the bot did in a conversation, in the order the simulator connector received them. */
export interface ChatBotActivity {
  conversationId: string;
  /** POST …/activities[/:id] is send, PUT …/activities/:id update, DELETE …/activities/:id delete. */
  op: 'send' | 'update' | 'delete';
  /** The id the simulator connector assigned (send) or the target (update/delete). */
  activityId: string;
  /** Absent for delete; typing indicators are op 'send' with type 'typing'. */
  activity?: Record<string, unknown>;
}
