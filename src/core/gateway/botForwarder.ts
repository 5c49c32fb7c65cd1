import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import { MAX_STORED_BODY_BYTES } from '../activity/activityLog';

/**
 * Forwards an accepted request to the developer's bot byte for byte
 * (Authorization included: the bot validates the same JWT) and relays what it
 * answers, because invoke responses carry the bot's status and body. The
 * answer is relayed as the bot sent it: status, body bytes, Content-Type and
 * Content-Encoding (a bot behind compression middleware gzips when the caller
 * allows it, and a gzip body without its header is garbage to the caller).
 */
export type ForwardResult =
  | {
      ok: true;
      status: number;
      headers: IncomingHttpHeaders;
      /** Exactly the bytes the bot sent, still encoded: what the caller receives. */
      body: Buffer;
      /** The bot's headers that travel back with the body. */
      relayHeaders: Record<string, string>;
      /**
       * The body with its Content-Encoding undone, for the activity log; undefined when it cannot be decoded;
       * 'too-large' when it decodes to more than the log stores (MAX_STORED_BODY_BYTES), so it is not inflated further.
       */
      plain: Buffer | 'too-large' | undefined;
    }
  | { ok: false; reason: 'bot-unreachable' | 'bot-timeout' | 'bot-answer-too-large'; detail: string };

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect',
]);

/** The answer headers that describe the body and so must travel with it. */
const RELAYED_HEADERS = ['content-type', 'content-encoding'] as const;

/** Keep-alive sockets: a second TCP handshake per activity would double the hop's cost. */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 128 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 128 }),
};

/**
 * The largest bot answer relayed (as sent, before decompression). Teams
 * accepts bot messages of about 100 KB, so an answer this big is a bug in the
 * bot; it fails with bot-answer-too-large instead of being cut or buffered
 * without bound.
 */
export const MAX_BOT_ANSWER_BYTES = 4 * 1024 * 1024;

export function forwardToBot(botUrl: string, headers: IncomingHttpHeaders, body: Buffer, timeoutMs: number): Promise<ForwardResult> {
  const outHeaders: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) outHeaders[name] = value;
  }
  outHeaders['content-length'] = body.length;
  if (!outHeaders['content-type']) outHeaders['content-type'] = 'application/json';

  const { isHttps, where, options } = targetOf(botUrl);
  const request = isHttps ? https.request : http.request;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ForwardResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const tooLarge = (bytes: string) => {
      finish({ ok: false, reason: 'bot-answer-too-large', detail: `the bot at ${where} answered ${bytes} bytes, more than the ${MAX_BOT_ANSWER_BYTES} bytes the gateway relays (Teams accepts about 100 KB): the answer was not relayed; check what the bot returns` });
      req.destroy();
    };
    const req = request({ ...options, headers: outHeaders }, (res) => {
      const declared = Number(res.headers['content-length']);
      if (declared > MAX_BOT_ANSWER_BYTES) return tooLarge(String(declared));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BOT_ANSWER_BYTES) tooLarge(`more than ${MAX_BOT_ANSWER_BYTES}`);
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        finish({ ok: true, status: res.statusCode ?? 502, headers: res.headers, body: raw, relayHeaders: relayHeaders(res.headers), plain: decode(raw, res.headers['content-encoding']) });
      });
      res.on('error', (err) => finish({ ok: false, reason: 'bot-unreachable', detail: `the bot at ${where} broke off its answer: ${err.message}` }));
    });
    const timer = setTimeout(() => {
      finish({ ok: false, reason: 'bot-timeout', detail: `the bot at ${where} did not answer within ${timeoutMs} ms (bot.timeoutMs): is it stopped at a breakpoint or stuck?` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'ECONNREFUSED' ? 'nothing is listening there: start your bot, or check bot.url' : err.message;
      finish({ ok: false, reason: 'bot-unreachable', detail: `cannot reach the bot at ${where} (${err.code ?? 'error'}): ${hint}` });
    });
    req.end(body);
  });
}

interface BotTarget {
  isHttps: boolean;
  /** The bot's origin and path, for messages (never its credentials or query). */
  where: string;
  options: http.RequestOptions;
}

/** bot.url as request options, parsed once per URL: the config changes rarely, requests often. */
const targets = new Map<string, BotTarget>();
const TARGETS_MAX = 16;

function targetOf(botUrl: string): BotTarget {
  let target = targets.get(botUrl);
  if (target) return target;
  const url = new URL(botUrl);
  const isHttps = url.protocol === 'https:';
  target = {
    isHttps,
    where: `${url.origin}${url.pathname}`,
    // Plain options rather than (url, options): Node would convert the URL (urlToHttpOptions) on every request.
    options: {
      protocol: url.protocol, hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname, port: url.port || undefined, path: `${url.pathname}${url.search}`,
      ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
      method: 'POST', agent: isHttps ? agents.https : agents.http,
    },
  };
  if (targets.size >= TARGETS_MAX) targets.delete(targets.keys().next().value as string);
  targets.set(botUrl, target);
  return target;
}

function relayHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RELAYED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * Undoes Content-Encoding (gzip, deflate, br, applied in the order listed) so
 * the activity log shows what the bot said. This runs on the request path,
 * so it inflates no more than the log stores (MAX_STORED_BODY_BYTES): a
 * bigger answer would only be cut there, and 4 MiB inflated synchronously for
 * that would hold up every other request. (The relay does not need it: the
 * caller gets the bytes as sent.)
 */
function decode(body: Buffer, contentEncoding: string | undefined): Buffer | 'too-large' | undefined {
  if (!contentEncoding) return body;
  const codings = contentEncoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity');
  let out = body;
  try {
    for (const coding of codings.reverse()) {
      // One byte past what the log stores tells "fits" from "too large" without inflating the rest.
      const options = { maxOutputLength: MAX_STORED_BODY_BYTES + 1 };
      if (coding === 'gzip' || coding === 'x-gzip') out = zlib.gunzipSync(out, options);
      // "deflate" means zlib-wrapped, but some servers send raw deflate.
      else if (coding === 'deflate') out = out[0] === 0x78 ? zlib.inflateSync(out, options) : zlib.inflateRawSync(out, options);
      else if (coding === 'br') out = zlib.brotliDecompressSync(out, options);
      else return undefined;
    }
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : undefined;
  }
  return out;
}
