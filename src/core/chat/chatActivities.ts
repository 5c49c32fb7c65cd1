import type { Activity, ChannelAccount, ConversationAccount, MentionEntity, TeamsChannelData } from '../activity/activity';
import type { TeamsBotConfig } from '../config/configTypes';
import type { ChatConversation, ChatInput, ChatUser } from './chatTypes';
import { definedOnly } from '../definedOnly';
import { nextMessageId } from './messageIds';

/**
 * The one builder of Teams-shaped activities for simulated conversations:
 * the chat panel, Simulate Incoming Message (Gateway.simulate) and anything
 * else that makes up traffic use it, so a shape fixed here is fixed for all.
 * Shapes follow what Teams sends (and @microsoft/teams.api types): mentions
 * as "<at>Name</at>" in the text plus a mention entity, Action.Submit as a
 * message with `value`, card actions and dialogs as invokes, edits as
 * messageUpdate/editMessage, deletes as messageDelete/softDeleteMessage,
 * lifecycle as conversationUpdate and installationUpdate.
 */

/** The bot's account in simulated conversations: the app's id when there is one (Teams prefixes bot ids with "28:"). */
export interface SimulatedBot { id: string; name: string }

export function simulatedBot(config: Pick<TeamsBotConfig, 'appId'> | undefined): SimulatedBot {
  return { id: `28:${config?.appId ?? 'teams-bot-dev-simulated-bot'}`, name: 'Bot' };
}

/** What every activity of a simulated conversation carries besides its own content. */
export interface ChatEnvironment {
  /** The running gateway's simulator connector: the bot's replies come back there. */
  serviceUrl: string;
  bot: SimulatedBot;
  tenantId: string;
}

export function chatEnvironment(config: Pick<TeamsBotConfig, 'appId' | 'tenantId'> | undefined, serviceUrl: string, bot?: SimulatedBot): ChatEnvironment {
  return { serviceUrl, bot: bot ?? simulatedBot(config), tenantId: config?.tenantId ?? 'simulated-tenant' };
}

/**
 * The conversation's stable id: one personal chat per user; a group chat's
 * own id; a channel's id (its threads add ";messageid=…" to it, see
 * activityConversationId).
 */
export function conversationIdOf(conv: ChatConversation): string {
  switch (conv.kind) {
    case 'personal': return `a:simulated-${conv.user.id}`;
    case 'groupChat': return conv.id;
    case 'channel': return conv.channelId;
  }
}

/** The part of a conversation id before ";messageid=…": a channel thread belongs to its channel. */
export function baseConversationId(id: string): string {
  const cut = id.indexOf(';');
  return cut < 0 ? id : id.slice(0, cut);
}

/**
 * The value of an adaptiveCard/action invoke, as Teams sends it when an
 * Action.Execute is pressed: the action's id, verb and data (with the card's
 * inputs merged into data by the caller); the rest of the action (title,
 * style) stays in the card.
 */
export function executeActionValue(action: { verb?: string; data?: unknown; id?: string }): Record<string, unknown> {
  return { action: { type: 'Action.Execute', ...definedOnly({ id: action.id, verb: action.verb, data: action.data }) }, trigger: 'manual' };
}

/** The value of a task/fetch or task/submit invoke (a dialog opening or submitting), as Teams sends it. */
export function taskModuleValue(data: unknown): Record<string, unknown> {
  return { data, context: { theme: 'default' } };
}

/** One user input as the activity Teams would post to the bot. A user's ChatUser without a name is sent without one. */
export function buildChatActivity(env: ChatEnvironment, conv: ChatConversation, from: Pick<ChatUser, 'id'> & Partial<ChatUser>, input: ChatInput): Activity {
  // An edit or a delete is about an existing message and carries its id; everything else is a new activity.
  const id = input.type === 'messageEdited' || input.type === 'messageDeleted' ? input.messageId : nextMessageId();
  const envelope: Activity = {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    serviceUrl: env.serviceUrl,
    channelId: 'msteams',
    from: account(from),
    recipient: { id: env.bot.id, name: env.bot.name },
    conversation: conversationAccount(env, conv, activityConversationId(conv, input, id)),
    locale: 'en-US',
    channelData: channelData(env, conv),
  };
  return { ...envelope, ...content(env, conv, input) };
}

/**
 * The conversation id an activity carries. A channel post starts a thread
 * named by its own id; a reply (threadId), a card action (replyToId) and an
 * edit are in an existing thread; lifecycle events are about the channel.
 */
function activityConversationId(conv: ChatConversation, input: ChatInput, id: string): string {
  if (conv.kind !== 'channel') return conversationIdOf(conv);
  if (input.type === 'membersAdded' || input.type === 'membersRemoved' || input.type === 'installationUpdate') return conv.channelId;
  const replyTo = 'replyToId' in input ? input.replyToId : undefined;
  return `${conv.channelId};messageid=${conv.threadId ?? replyTo ?? id}`;
}

function conversationAccount(env: ChatEnvironment, conv: ChatConversation, id: string): ConversationAccount {
  switch (conv.kind) {
    case 'personal': return { id, conversationType: 'personal', tenantId: env.tenantId };
    case 'groupChat': return { id, conversationType: 'groupChat', isGroup: true, tenantId: env.tenantId, ...(conv.name ? { name: conv.name } : {}) };
    case 'channel': return { id, conversationType: 'channel', isGroup: true, tenantId: env.tenantId };
  }
}

function channelData(env: ChatEnvironment, conv: ChatConversation): TeamsChannelData {
  const data: TeamsChannelData = { tenant: { id: env.tenantId } };
  if (conv.kind === 'channel') {
    data.team = { id: conv.teamId, name: conv.teamName ?? 'Simulated team' };
    data.channel = { id: conv.channelId, name: conv.channelName ?? 'General' };
  }
  return data;
}

/** The fields that make the activity what it is, laid over the envelope. */
function content(env: ChatEnvironment, conv: ChatConversation, input: ChatInput): Partial<Activity> {
  const base = channelData(env, conv);
  switch (input.type) {
    case 'message': {
      const mentioned: ChannelAccount[] = [...(input.mentionBot ? [{ id: env.bot.id, name: env.bot.name }] : []), ...(input.mentions ?? []).map(account)];
      let text = input.text;
      const entities: MentionEntity[] = [];
      // Teams writes each mention into the text where it was typed; one not typed there goes in front, as the mention picker puts it.
      for (const who of [...mentioned].reverse()) {
        const tag = `<at>${who.name ?? who.id}</at>`;
        if (!text.includes(tag)) text = `${tag} ${text}`;
      }
      for (const who of mentioned) entities.push({ type: 'mention', mentioned: { id: who.id, name: who.name }, text: `<at>${who.name ?? who.id}</at>` });
      return { type: 'message', text, textFormat: 'plain', entities };
    }
    case 'submit':
      // Action.Submit: a message with no text whose value is the card's data and its inputs; a messageBack adds its text.
      return {
        type: 'message',
        ...(typeof input.text === 'string' && input.text ? { text: input.text, textFormat: 'plain' } : {}),
        value: input.value,
        ...(input.replyToId ? { replyToId: input.replyToId } : {}),
        channelData: { ...base, postBack: true },
      };
    case 'invoke':
      return { type: 'invoke', name: input.name, value: input.value, ...(input.replyToId ? { replyToId: input.replyToId } : {}) };
    case 'membersAdded':
    case 'membersRemoved': {
      const members = input.members === 'bot' ? [{ id: env.bot.id, name: env.bot.name }] : input.members.map(account);
      // In a team Teams names the event; in personal and group chats it sends the member list alone.
      const eventType = conv.kind === 'channel' ? (input.type === 'membersAdded' ? 'teamMemberAdded' : 'teamMemberRemoved') : undefined;
      return { type: 'conversationUpdate', [input.type]: members, channelData: eventType ? { ...base, eventType } : base };
    }
    case 'installationUpdate':
      return { type: 'installationUpdate', action: input.action };
    case 'reaction':
      return {
        type: 'messageReaction',
        replyToId: input.replyToId,
        [input.action === 'add' ? 'reactionsAdded' : 'reactionsRemoved']: [{ type: input.reactionType }],
      };
    case 'messageEdited':
      return { type: 'messageUpdate', text: input.text, textFormat: 'plain', channelData: { ...base, eventType: 'editMessage' } };
    case 'messageDeleted':
      // @microsoft/teams.api: MessageDeleteActivity, type messageDelete with eventType softDeleteMessage.
      return { type: 'messageDelete', channelData: { ...base, eventType: 'softDeleteMessage' } };
  }
}

function account(user: Pick<ChatUser, 'id'> & Partial<ChatUser>): ChannelAccount {
  return definedOnly({ id: user.id, name: user.name, aadObjectId: user.aadObjectId }) as ChannelAccount;
}
