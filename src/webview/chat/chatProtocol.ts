/**
 * The messages between the Chat panel (src/extension/chat/chatPanel.ts) and its webview
 * (src/webview/chat/main.ts). Plain data only: both sides pass them through postMessage.
 * The webview asks (a request with an id, answered once), the panel tells (events).
 */
import type { ActivityRecord } from '../../core/activity/activityRecord';
import type { ChatBotActivity, ChatConversation, ChatInput, ChatUser } from '../../core/chat/chatTypes';

export type { ChatBotActivity, ChatConversation, ChatInput, ChatUser };

/** The part of an ActivityRecord the transcript shows beside a message (and hands back for Show in Activities). */
export type ChatRecord = Pick<ActivityRecord, 'id' | 'time' | 'fate' | 'reason' | 'detail' | 'pairingCode' | 'warnings'>;

/** What the webview asks the panel; each request is answered by one ChatReply with the same id. */
/**
 * What a send carries: a ChatInput, or a card action whose invoke value the panel builds with the
 * core's builders (executeActionValue, taskModuleValue), so the shape Teams sends is written once.
 */
export type ChatPanelInput =
  | ChatInput
  | { type: 'execute'; action: { verb?: string; data?: unknown; id?: string; title?: string }; replyToId?: string }
  | { type: 'task'; name: 'task/fetch' | 'task/submit'; data: unknown; replyToId?: string };

export type ChatRequest =
  | { id: number; method: 'conversationId'; conv: ChatConversation }
  | { id: number; method: 'send'; conv: ChatConversation; from: ChatUser; input: ChatPanelInput }
  | { id: number; method: 'openUrl'; url: string }
  | { id: number; method: 'showRecord'; recordId: string }
  | { id: number; method: 'startWebhook' };

/** The answer to a `send`: what was sent, its fate, and the bot's answer to an invoke. */
export interface ChatSendAnswer {
  activity: Record<string, unknown>;
  record: ChatRecord;
  invokeResponse?: { status: number; body?: unknown };
}

export type ChatReply = { type: 'reply'; id: number; result?: unknown; error?: string };

/** What the panel tells the webview unasked. */
export type ChatEvent =
  | ChatReply
  /** Whether messages can be sent now (the webhook runs), who the bot is, and whom the speaker picker offers. */
  | { type: 'status'; running: boolean; bot: ChatUser; users: ChatUser[] }
  /** Something the bot did: a message, an update, a delete or a typing indicator. */
  | { type: 'bot'; event: ChatBotActivity }
  /** The transcripts the panel kept (ChatSavedState), sent when the page is ready: the page takes them if newer than its own. */
  | { type: 'restore'; state: ({ savedAt: number } & Record<string, unknown>) | null }
  /** Asks the webview to type (and send) a message, in the first conversation of that kind when one is named (tests, and the command's arguments). */
  | { type: 'compose'; text: string; send?: boolean; conversation?: ChatConversation['kind'] };

/** The webview's readiness, sent once its script runs (the panel then sends the status). */
export type ChatHello = { type: 'ready' };

/** Something the page's content security policy refused (there should never be one: the panel logs it). */
export type ChatCspViolation = { type: 'cspViolation'; directive: string; blocked: string };

/**
 * The page's transcripts, each time they change. The panel keeps them in a file as well as VS Code keeps
 * the webview state: in a browser (code-server, vscode.dev) the workbench saves webview state lazily,
 * and a reload can come first. `savedAt` says which copy is newer.
 */
export type ChatSavedState = { type: 'state'; state: { savedAt: number } & Record<string, unknown> };

/** Everything the page may send the panel. */
export type ChatPageMessage = ChatRequest | ChatHello | ChatCspViolation | ChatSavedState;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isUser = (v: unknown): boolean => isObject(v) && isString(v.id) && isString(v.name);

function conversationProblem(conv: unknown): string | undefined {
  if (!isObject(conv)) return 'no conversation';
  if (conv.kind === 'personal') return isUser(conv.user) ? undefined : 'a personal chat without its user (id and name)';
  if (conv.kind === 'groupChat') return isString(conv.id) && Array.isArray(conv.members) && conv.members.every(isUser) ? undefined : 'a group chat without its id and members';
  if (conv.kind === 'channel') return isString(conv.teamId) && isString(conv.channelId) ? undefined : 'a channel without its team and channel ids';
  return `an unknown kind of conversation (${String(conv.kind)})`;
}

const INPUT_TYPES = ['message', 'submit', 'invoke', 'membersAdded', 'membersRemoved', 'installationUpdate', 'reaction', 'messageEdited', 'messageDeleted', 'execute', 'task'];

/**
 * What is wrong with a message from the page, or undefined when it is one the panel understands.
 * The page shows what the bot wrote (cards, markdown), so the panel takes nothing on trust: it acts
 * only on messages of these shapes (and still checks what each one asks, e.g. a link's scheme).
 */
export function pageMessageProblem(msg: unknown): string | undefined {
  if (!isObject(msg)) return 'not an object';
  if (!('method' in msg)) {
    if (msg.type === 'ready') return undefined;
    if (msg.type === 'state') return isObject(msg.state) && typeof msg.state.savedAt === 'number' && Array.isArray(msg.state.convs) ? undefined : 'a state without savedAt and convs';
    if (msg.type === 'cspViolation') return isString(msg.directive) && isString(msg.blocked) ? undefined : 'a CSP report without directive and blocked';
    return `an unknown message (${String(msg.type)})`;
  }
  if (typeof msg.id !== 'number' || !Number.isFinite(msg.id)) return 'a request without an id';
  switch (msg.method) {
    case 'conversationId':
      return conversationProblem(msg.conv);
    case 'send': {
      const input = msg.input;
      return conversationProblem(msg.conv)
        ?? (isUser(msg.from) ? undefined : 'a send without its sender (id and name)')
        ?? (isObject(input) && INPUT_TYPES.includes(input.type as string) ? undefined : `a send of an unknown input (${isObject(input) ? String(input.type) : typeof input})`)
        ?? (isObject(input) && input.type === 'message' && !isString(input.text) ? 'a message without text' : undefined);
    }
    case 'openUrl':
      return isString(msg.url) ? undefined : 'a link without an address';
    case 'showRecord':
      return isString(msg.recordId) ? undefined : 'Show in Activities without a record id';
    case 'startWebhook':
      return undefined;
    default:
      return `an unknown request (${String(msg.method)})`;
  }
}
