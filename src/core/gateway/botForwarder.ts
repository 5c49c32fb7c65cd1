import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Forwards an accepted request to the developer's bot byte for byte
 * (Authorization included: the bot validates the same JWT) and relays what it
 * answers, because invoke responses carry the bot's status and body.
 */
export type ForwardResult =
  | { ok: true; status: number; headers: IncomingHttpHeaders; body: Buffer }
  | { ok: false; reason: 'bot-unreachable' | 'bot-timeout'; detail: string };

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect',
]);

/** Keep-alive sockets: a second TCP handshake per activity would double the hop's cost. */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 128 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 128 }),
};

const MAX_BOT_RESPONSE_BYTES = 4 * 1024 * 1024;

export function forwardToBot(url: URL, headers: IncomingHttpHeaders, body: Buffer, timeoutMs: number): Promise<ForwardResult> {
  const outHeaders: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) outHeaders[name] = value;
  }
  outHeaders['content-length'] = body.length;
  if (!outHeaders['content-type']) outHeaders['content-type'] = 'application/json';

  const isHttps = url.protocol === 'https:';
  const request = isHttps ? https.request : http.request;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ForwardResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(url, { method: 'POST', headers: outHeaders, agent: isHttps ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BOT_RESPONSE_BYTES) chunks.push(chunk);
      });
      res.on('end', () => finish({ ok: true, status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (err) => finish({ ok: false, reason: 'bot-unreachable', detail: `the bot at ${url.origin}${url.pathname} broke off its answer: ${err.message}` }));
    });
    const timer = setTimeout(() => {
      finish({ ok: false, reason: 'bot-timeout', detail: `the bot at ${url.origin}${url.pathname} did not answer within ${timeoutMs} ms (bot.timeoutMs): is it stopped at a breakpoint or stuck?` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'ECONNREFUSED' ? 'nothing is listening there: start your bot, or check bot.url' : err.message;
      finish({ ok: false, reason: 'bot-unreachable', detail: `cannot reach the bot at ${url.origin}${url.pathname} (${err.code ?? 'error'}): ${hint}` });
    });
    req.end(body);
  });
}
