/**
 * What a Bot Connector error means for the developer, in one or two
 * sentences with the fix. A bare "HTTP 403" is the most common dead end of
 * proactive messaging: the same status means "the app was uninstalled", "the
 * user blocked the bot" or "an admin disabled the app", and only the error
 * code in the body tells them apart.
 *
 * The codes and their meanings are Microsoft's table of Bot API status codes
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages,
 * "Status codes from bot conversational APIs"); the body shape is the Bot
 * Connector's `{"error":{"code":"BotNotInConversationRoster","message":"The bot is not part of the conversation roster."}}`.
 * A user who blocked or uninstalled the bot can also come back as Teams'
 * `{"errorCode":209,"message":"{\"subCode\":\"MessageWritesBlocked\",…}"}`
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages).
 * Retry-After on a 429 is in seconds or an HTTP date
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
 */

/** Response headers as axios or Node give them: names in any case, values a string or a list. */
export type ConnectorErrorHeaders = Record<string, unknown> | undefined;

const CREDENTIAL_CHECK = 'run the Credential Check (Teams Bot: Check Bot Credentials, or `teams-bot-dev credentials check`)';

/**
 * The explanation of a failed Bot Connector call, or undefined when the
 * status says nothing specific (a 5xx with no known code: the body itself is
 * the best evidence). Never repeats the body: callers print it beside this.
 */
export function explainConnectorError(status: number, body: unknown, headers?: ConnectorErrorHeaders): string | undefined {
  const code = errorCode(body);
  switch (code) {
    case 'BotNotInConversationRoster':
      return 'The bot is not a member of this conversation: the app was removed from that chat or team (or never installed there). Install the app there again; until then nothing can be sent to it.';
    case 'ConversationBlockedByUser':
    case 'MessageWritesBlocked':
      return 'The user blocked the bot (or uninstalled it) in this chat: nothing can be sent until they unblock it and write to the bot again. Stop sending here, Teams counts it against the bot.';
    case 'BotDisabledByAdmin':
      return 'The tenant admin disabled this bot for the user: an admin must allow the app in the Teams admin center (app permission policies).';
    case 'ConversationNotFound':
      return 'Teams does not know this conversation: it was deleted, or the id is from another tenant or serviceUrl. Wait for a new message from that chat to get a fresh conversation reference.';
    case 'BotNotRegistered':
      return `No Bot Framework registration was found for this appId: check the app id, and that the Azure Bot (or Developer Portal bot) has the Teams channel enabled; ${CREDENTIAL_CHECK}.`;
    case 'MessageSizeTooBig':
      return 'The message is larger than Teams accepts (about 100 KB including cards): send it smaller.';
    case 'PreconditionFailed':
      return 'Several operations hit this conversation at once: retry in a moment.';
    default:
      break;
  }
  if (status === 429) {
    const wait = retryAfterSeconds(headers);
    return `Teams throttled the bot (too many messages to this conversation or tenant)${wait === undefined ? ': wait, then retry with backoff' : `: retry after ${wait} s (Retry-After)`}.`;
  }
  if (status === 401) return `The Bot Connector did not accept the bot's token (the bot token was not accepted): ${CREDENTIAL_CHECK} to see which part of appId, tenant and secret is wrong.`;
  if (status === 403) return 'The bot is not allowed to post in this conversation: is the app installed there?';
  if (status === 404) return 'Unknown conversation or activity id: check the conversation id, or wait for a new message from that chat for a fresh reference.';
  if (status === 400) return `The Bot Connector refused the message as malformed${code ? ` (${code})` : ''}: its message says which field.`;
  if (status === 412 || status === 502 || status === 503 || status === 504) return 'A transient failure at Teams: retry with backoff.';
  if (status >= 300 && status < 400) return 'A redirect, which is not followed (the bot token would go along to a host nobody checked).';
  return undefined;
}

/** `error.code` of the Bot Connector's body, or the subCode Teams nests as JSON text in `message`. */
export function errorCode(body: unknown): string | undefined {
  const data = typeof body === 'string' ? parseJson(body) : body;
  if (!data || typeof data !== 'object') return undefined;
  const error = (data as { error?: unknown }).error;
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  const message = (data as { message?: unknown }).message;
  if (typeof message === 'string') {
    const nested = parseJson(message) as { subCode?: unknown } | undefined;
    if (nested && typeof nested.subCode === 'string') return nested.subCode;
  }
  return undefined;
}

/** Seconds to wait from a Retry-After header (seconds, or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(headers: ConnectorErrorHeaders, now = Date.now()): number | undefined {
  const raw = header(headers, 'retry-after');
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function header(headers: ConnectorErrorHeaders, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' || typeof first === 'number' ? String(first) : undefined;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
