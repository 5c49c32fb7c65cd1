/**
 * Config keys that move trust somewhere else: which keys sign the tokens the
 * webhook accepts, where the client secret is sent, where bot tokens may go,
 * where the users' messages (with their tokens) are forwarded.
 * A cloned repository is untrusted input, so in an untrusted (Restricted Mode)
 * workspace the extension refuses to start the webhook or F5 while any of
 * these is set. Pure, so the decision is unit-tested without VS Code.
 */
export interface TrustBlocker {
  /** The config path, e.g. "cloudOverrides.openIdMetadataUrl". */
  path: string;
  /** What the value could do in the hands of whoever wrote the file. */
  risk: string;
}

const CLOUD_OVERRIDE_RISKS: Record<string, string> = {
  openIdMetadataUrl: 'chooses the keys that sign the tokens the webhook accepts, so anyone holding them could send as any user',
  tokenIssuer: 'chooses the token issuer the webhook accepts',
  loginEndpoint: 'receives the client secret when a reply token is requested',
  loginTenant: 'chooses the tenant the client secret is presented to',
  botScope: 'chooses the audience of the bot tokens sent with replies',
};

/** The trust-redirecting keys set in a raw (unvalidated) config object; [] when there are none. */
export function trustBlockers(raw: unknown): TrustBlocker[] {
  if (!isObject(raw)) return [];
  const out: TrustBlocker[] = [];
  const overrides = own(raw, 'cloudOverrides');
  if (isObject(overrides)) {
    for (const key of Object.keys(overrides)) {
      if (own(overrides, key) === undefined) continue;
      out.push({ path: `cloudOverrides.${key}`, risk: own(CLOUD_OVERRIDE_RISKS, key) ?? 'replaces an endpoint of the Microsoft cloud' });
    }
  }
  if (own(raw, 'serviceUrl') !== undefined) {
    out.push({ path: 'serviceUrl', risk: 'widens where the bot token may be sent' });
  }
  // The forwarder relays each request byte for byte, Bot Framework JWT included:
  // a remote bot.url would receive every user message and replayable tokens.
  const bot = own(raw, 'bot');
  const botUrl = isObject(bot) ? own(bot, 'url') : undefined;
  if (botUrl !== undefined && botUrl !== null && !isLoopbackUrl(botUrl)) {
    out.push({ path: 'bot.url', risk: 'receives every message sent to the bot, with its Bot Framework token, unless it is on this machine (loopback)' });
  }
  return out;
}

/** True for http(s) URLs on this machine: localhost, 127.0.0.0/8, ::1. Anything unparsable is not. */
function isLoopbackUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** One sentence for a toast or an F5 failure: what is set and how to go on. */
export function trustBlockerMessage(blockers: readonly TrustBlocker[]): string {
  const list = blockers.map((b) => `${b.path} (${b.risk})`).join('; ');
  return `this folder is not trusted (Restricted Mode) and its config redirects trust: ${list}. Trust the folder if you wrote this config, or remove these keys.`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own<T>(o: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
