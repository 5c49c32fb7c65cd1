import type { Activity } from '../activity/activity';
import type { ActivityRecord } from '../activity/activityRecord';
import { invokeResponseOf } from '../activity/invokeResponse';
import type { TeamsBotConfig } from '../config/configTypes';
import { TypedEmitter } from '../typedEmitter';
import { baseConversationId, buildChatActivity, chatEnvironment, conversationIdOf, simulatedBot, type SimulatedBot } from './chatActivities';
import type { ChatBotActivity, ChatConversation, ChatInput, ChatSendResult, ChatUser } from './chatTypes';

/**
 * The running gateway as the chat uses it. Gateway (core/gateway) fits this
 * shape; the chat names the shape instead of importing Gateway because the
 * gateway imports the chat's activity builder (a folder cycle otherwise).
 */
export interface ChatGateway {
  readonly config: TeamsBotConfig | undefined;
  /** Throws when the gateway is not running. */
  readonly simulatorServiceUrl: string;
  handleSimulated(activity: Activity): Promise<{ status: number; body: Buffer; record: ActivityRecord }>;
  on(event: 'simulatorReply', listener: (reply: { conversationId: string; activity: Record<string, unknown>; op?: ChatBotActivity['op']; activityId?: string }) => void): () => void;
}

/**
 * One chat window's conversations with the bot. Each input becomes the
 * activity Teams would send (chatActivities.ts) and runs through the
 * gateway's pipeline as simulated traffic: policy, pairing, the activity
 * log, forwarding, exactly as a real message. What the bot does in the
 * session's conversations (replies, typing, updates, deletes, and the
 * gateway's own pairing codes) comes back as `bot` events, in order.
 *
 * Subscribe to `bot` before calling send(): a bot replies while it handles
 * the activity, so replies can arrive before send() resolves.
 */
export class ChatSession extends TypedEmitter<{ bot: ChatBotActivity }> {
  /** Conversations this session has sent to, by base id (a channel's threads share the channel's). */
  private readonly conversations = new Set<string>();
  private readonly off: () => void;

  constructor(private readonly gateway: ChatGateway, private readonly botAccount?: { id: string; name: string }) {
    super();
    this.off = gateway.on('simulatorReply', (reply) => {
      if (!this.conversations.has(baseConversationId(reply.conversationId))) return;
      const op = reply.op ?? 'send';
      const activityId = reply.activityId ?? (typeof reply.activity.id === 'string' ? reply.activity.id : '');
      this.emit('bot', op === 'delete'
        ? { conversationId: reply.conversationId, op, activityId }
        : { conversationId: reply.conversationId, op, activityId, activity: reply.activity });
    });
  }

  /**
   * The bot's account in this session's conversations (the recipient of what the user sends): the one
   * given, else the running config's app ("28:" + appId), read at each use so a reload that sets appId counts.
   */
  get bot(): SimulatedBot {
    return this.botAccount ?? simulatedBot(this.gateway.config);
  }

  /** The conversation's stable id (a channel's threads add ";messageid=…" to it). */
  conversationId(conv: ChatConversation): string {
    return conversationIdOf(conv);
  }

  /**
   * Sends one input as `from` and resolves with the gateway's record of it
   * (fate, reason, detail) and, for an invoke the bot answered, its answer.
   * Rejects only when the gateway is not running.
   */
  async send(conv: ChatConversation, from: ChatUser, input: ChatInput): Promise<ChatSendResult> {
    const activity = buildChatActivity(chatEnvironment(this.gateway.config, this.gateway.simulatorServiceUrl, this.bot), conv, from, input);
    // Before the pipeline runs: the bot (and a pairing code) may answer before handleSimulated resolves.
    this.conversations.add(baseConversationId(activity.conversation!.id));
    this.conversations.add(conversationIdOf(conv));
    const response = await this.gateway.handleSimulated(activity);
    const result: ChatSendResult = { activity: activity as Record<string, unknown>, record: response.record };
    // Only the bot's own answer: a dropped invoke's body is the gateway's, not the bot's.
    if (activity.type === 'invoke' && response.record.botResponse) result.invokeResponse = invokeResponseOf(response);
    return result;
  }

  /** Stops listening to the gateway; the session emits nothing afterwards. */
  dispose(): void {
    this.off();
    this.removeAllListeners();
  }
}
