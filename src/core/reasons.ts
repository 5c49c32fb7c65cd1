/**
 * The fixed vocabulary of fates and reasons. Every activity the gateway sees
 * ends with exactly one fate and one reason from this file; the README's
 * reason table is generated from the descriptions here.
 */
export type Fate = 'delivered' | 'dropped' | 'rejected' | 'failed';

export const REASONS = {
  // delivered: the policy accepted it and the bot answered
  'dm-open': { fate: 'delivered', text: 'Personal chat accepted: dmPolicy is "open".' },
  'dm-allowlisted': { fate: 'delivered', text: 'Personal chat accepted: the sender is in allowFrom, or (under dmPolicy "pairing") their pairing was approved.' },
  'group-open': { fate: 'delivered', text: 'Group chat or channel accepted: groupPolicy is "open".' },
  'group-allowlisted': { fate: 'delivered', text: 'Group chat or channel accepted: the sender, or this chat or channel itself, is in groupAllowFrom (or in allowFrom when groupAllowFrom is unset or empty).' },
  'lifecycle': { fate: 'delivered', text: 'A conversationUpdate, installationUpdate or other lifecycle event: always forwarded so the bot can greet and clean up.' },
  'invoke': { fate: 'delivered', text: 'An invoke (card action, task module, message extension) from an allowed sender.' },
  'echo': { fate: 'delivered', text: 'Answered by the built-in echo bot (bot.echo).' },
  'sent': { fate: 'delivered', text: 'An outbound message the gateway sent (pairing code, approval notice, echo reply, proactive message).' },

  // dropped: the policy refused it; the sender may be told, the developer always is
  'dm-pairing-pending': { fate: 'dropped', text: 'Personal chat from a sender who is not in allowFrom under dmPolicy "pairing": a pairing code was issued; approve it to let them in.' },
  'dm-pairing-full': { fate: 'dropped', text: 'Personal chat from an unknown sender, but pairing.maxPending requests are already waiting: approve or reject some.' },
  'dm-not-allowlisted': { fate: 'dropped', text: 'Personal chat from a sender who is not in allowFrom under dmPolicy "allowlist".' },
  'dm-disabled': { fate: 'dropped', text: 'Personal chats are switched off (dmPolicy "disabled").' },
  'group-disabled': { fate: 'dropped', text: 'Group chats and channels are switched off (groupPolicy "disabled").' },
  'group-not-allowlisted': { fate: 'dropped', text: 'Group chat or channel message under groupPolicy "allowlist" from a sender who is not in groupAllowFrom (or allowFrom when groupAllowFrom is unset or empty), in a chat or channel that is not listed there either. Pairing approvals never count here.' },
  'team-not-listed': { fate: 'dropped', text: 'Group chat or channel message that matches no key under "teams" while some teams are listed (a group chat has no team: only a "*" team admits it).' },
  'channel-not-listed': { fate: 'dropped', text: 'Group chat or channel message from a team under "teams" that lists "channels", and this conversation is not one of them.' },
  'dm-conflicting-scope': { fate: 'dropped', text: 'A personal chat that also carries group, team or channel markers (conversation.isGroup, channelData.team or channelData.channel): the scope is contradictory, so it is not trusted.' },
  'mention-required': { fate: 'dropped', text: 'Group chat or channel message that does not @mention the bot while requireMention is on.' },
  'self-message': { fate: 'dropped', text: 'An activity sent by the bot itself (from.id equals recipient.id): dropped to avoid loops.' },
  'no-sender': { fate: 'dropped', text: 'A message activity with no from.id: there is nobody to apply the policy to.' },
  'probe': { fate: 'dropped', text: 'A Delivery Check probe (header x-teams-bot-dev-probe): answered by the gateway itself with its nonce and never forwarded to the bot, the policy or pairing. Hidden from the activity lists unless asked (`activities --probes`); at most 10 are recorded per minute.' },

  // rejected: the HTTP request itself was refused before the policy ran
  'body-too-large': { fate: 'rejected', text: 'The request body is larger than webhook.maxBodyBytes (HTTP 413).' },
  'malformed-json': { fate: 'rejected', text: 'The request body is not valid JSON (HTTP 400).' },
  'bad-http-request': { fate: 'rejected', text: 'The HTTP request itself was malformed (headers or framing) and Node refused it before it could be read (HTTP 400).' },
  'not-an-activity': { fate: 'rejected', text: 'The body is JSON but not an activity: not an object with a string "type", or a field the gateway reads (from, conversation, serviceUrl, …) has the wrong type (HTTP 400).' },
  'auth-missing-header': { fate: 'rejected', text: 'appId is configured but the request has no "Authorization: Bearer" header (HTTP 401).' },
  'auth-malformed-token': { fate: 'rejected', text: 'The bearer token is not a well-formed JWT (HTTP 401).' },
  'auth-bad-signature': { fate: 'rejected', text: 'The JWT signature does not verify against the Bot Framework signing keys (HTTP 401).' },
  'auth-unknown-key': { fate: 'rejected', text: 'The JWT is signed with a key id that is not in the Bot Framework key set (HTTP 401).' },
  'auth-key-not-endorsed': { fate: 'rejected', text: 'The JWT is signed with a Bot Framework key that is not endorsed for the activity\'s channelId (say, a key endorsed only for webchat signing an msteams activity), or the activity names no channelId (HTTP 401).' },
  'auth-wrong-audience': { fate: 'rejected', text: 'The JWT audience is not this bot\'s appId: the request was meant for another bot (HTTP 401).' },
  'auth-wrong-issuer': { fate: 'rejected', text: 'The JWT was not issued by the Bot Framework for the configured cloud (HTTP 401).' },
  'auth-expired': { fate: 'rejected', text: 'The JWT has expired or is not valid yet, beyond 5 minutes of clock skew (HTTP 401).' },
  'auth-serviceurl-mismatch': { fate: 'rejected', text: 'The JWT serviceurl claim does not match the activity\'s serviceUrl (HTTP 401).' },
  'auth-keys-unreachable': { fate: 'rejected', text: 'The Bot Framework signing keys could not be fetched, so no token can be checked (HTTP 401).' },
  'auth-invalid': { fate: 'rejected', text: 'The JWT failed validation for another reason; the detail says which (HTTP 401).' },
  'wrong-path': { fate: 'rejected', text: 'A POST to a path that is not webhook.path: check the messaging endpoint registered for the bot (HTTP 404).' },
  'not-local': { fate: 'rejected', text: 'Local mode (no appId) accepts only loopback clients without proxy headers; this came from elsewhere, e.g. through a tunnel (HTTP 401).' },
  'browser-request': { fate: 'rejected', text: 'Local mode refuses requests a web browser sent (they carry Origin, Sec-Fetch-* or other browser-only headers): any web page could otherwise post activities to 127.0.0.1. Use curl, the Agents Playground or Simulate Incoming Message (HTTP 403).' },
  'host-not-loopback': { fate: 'rejected', text: 'Local mode refuses a request whose Host header is not a loopback name or address (localhost, 127.0.0.1, [::1]), as a DNS-rebinding web page would send (HTTP 403).' },

  // failed: accepted, but the gateway could not complete the delivery
  'bot-unreachable': { fate: 'failed', text: 'The bot at bot.url refused the connection or is not running (HTTP 502).' },
  'bot-timeout': { fate: 'failed', text: 'The bot at bot.url did not answer within bot.timeoutMs (HTTP 504).' },
  'bot-error': { fate: 'failed', text: 'The bot answered with a 5xx status; its body is relayed.' },
  'bot-answer-too-large': { fate: 'failed', text: 'The bot answered more than 4 MiB (Teams accepts about 100 KB): the answer is not relayed, nor cut short (HTTP 502).' },
  'no-bot': { fate: 'failed', text: 'The activity was accepted but neither bot.url nor bot.echo is configured (HTTP 502).' },
  'send-refused-host': { fate: 'failed', text: 'An outbound message was not sent: its serviceUrl is not a Bot Connector host allowed for the configured cloud.' },
  'send-failed': { fate: 'failed', text: 'An outbound message to the Bot Connector failed; the detail has the status.' },
  'send-no-credentials': { fate: 'failed', text: 'An outbound message needs a bot token but no app password, certificate or managed identity is configured.' },
  'pairing-store-unavailable': { fate: 'failed', text: 'A personal chat from an unpaired sender, but the pairing request could not be saved (state dir not writable, disk full, a directory where pairing.json should be, or its lock held by another process): no code was issued. The detail and the log say what to fix; the sender gets a code with their next message once it is fixed (HTTP 503).' },
  'internal-error': { fate: 'failed', text: 'The gateway itself failed while handling the request (a bug): the log has the stack trace; please report it (HTTP 500).' },
} as const satisfies Record<string, { fate: Fate; text: string }>;

export type Reason = keyof typeof REASONS;

export function fateOf(reason: Reason): Fate {
  return REASONS[reason].fate;
}
