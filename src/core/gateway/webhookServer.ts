import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../logger';
import { classifySource, isLoopbackAddress, hasProxyHeaders, localClientRefusal } from './requestSource';
import { FATE_HEADER, REASON_HEADER, type InboundRequest, type Pipeline, type PipelineResponse } from './pipeline';
import { SIMULATOR_PREFIX } from './simulatorUrl';
import { nextMessageId } from '../chat/messageIds';

export const LEGACY_PATH = '/api/messages';
export { SIMULATOR_PREFIX };

export interface WebhookServerOptions {
  path: string;
  maxBodyBytes: number;
  pipeline: Pipeline;
  logger: Logger;
  /** What a bot does at the simulator's serviceUrl (send, update, delete) lands here, in the order received (loopback only). */
  onSimulatorReply(reply: SimulatorCapture): void;
}

/** One bot call to the simulator connector: POST …/activities[/:replyToId] (send), PUT …/activities/:id (update), DELETE …/activities/:id (delete). */
export interface SimulatorCapture {
  conversationId: string;
  op: 'send' | 'update' | 'delete';
  /** The id assigned to a sent activity (unique, see nextMessageId), or the one updated or deleted. */
  activityId: string;
  /** Absent for delete. */
  activity?: Record<string, unknown>;
}

/**
 * The HTTP face of the gateway. The body limit runs before anything else so
 * a garbage bearer cannot buy unbounded parsing; everything after the body is
 * read belongs to the pipeline.
 */
export function createWebhookApp(opts: WebhookServerOptions): http.RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  let warnedLegacy = false;
  // Latency is measured from the first byte we see, not from when the body was read.
  app.use((req, _res, next) => {
    startedAt(req);
    next();
  });

  const readBody = express.raw({ type: () => true, limit: opts.maxBodyBytes, inflate: true });

  // Before the body is parsed or the path judged: a web page's POST to loopback (local mode) is refused as
  // browser-request, not as whatever its body or path would have earned (malformed-json, body-too-large,
  // wrong-path). The body is still read, within the limit, so the record shows the attempted activity.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.path.startsWith(`${SIMULATOR_PREFIX}/`)) return next();
    if (!refuseLocalClient(req, res)) next();
  });
  /** Answers a refused local client (after reading the body within the limit) and says true; false when the request may go on. */
  const refuseLocalClient = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const refusal = opts.pipeline.localClientRefusal({ source: classifySource(req.socket.remoteAddress, req.headers), headers: req.headers });
    if (!refusal) return false;
    readBody(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === 'request.aborted') return;
      send(res, opts.pipeline.refuseLocalClient(inbound(req), refusal));
    });
    return true;
  };

  // webhook.path is a literal path, compared as the request spells it. Never an
  // Express route pattern: "/api/:x" would match any segment, and "(" or "*"
  // would make path-to-regexp throw at start. One trailing slash is accepted
  // too, as Express's non-strict routing did (a bot registered as
  // ".../api/messages/" must keep working); otherwise literal and case-sensitive.
  const samePath = (actual: string, configured: string) => actual === configured || actual === `${configured}/`;
  const isWebhookPath = (req: Request) => samePath(req.path, opts.path) || samePath(req.path, LEGACY_PATH);

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!isWebhookPath(req)) return next();
    if (req.method === 'HEAD') return void res.status(200).end();
    if (req.method === 'GET') return void res.status(200).json({ service: 'teams-bot-dev gateway', hint: 'POST Bot Framework activities to this path' });
    if (req.method !== 'POST') return next();
    postActivity(req, res, req.path, next);
  });
  /** A POST to the webhook path: the body within the limit, then the pipeline. */
  const postActivity = (req: http.IncomingMessage, res: http.ServerResponse, pathname: string, onReadError: (err: unknown) => void) => {
    readBody(req, res, (err?: unknown) => {
      if (err) return onReadError(err);
      if (!samePath(pathname, opts.path) && !warnedLegacy) {
        warnedLegacy = true;
        opts.logger.warn(`[msteams] a request used the legacy path ${LEGACY_PATH}; webhook.path is ${opts.path}. It is accepted for now: update the bot's messaging endpoint to ${opts.path}.`);
      }
      void run(opts.pipeline, inbound(req), res, opts.logger);
    });
  };

  // The bot is a local process; a web page (or a tunnel) must not be able to fake its replies.
  const simulatorClient = (req: Request, res: Response, next: NextFunction) => {
    if (isLoopbackAddress(req.socket.remoteAddress) && !hasProxyHeaders(req.headers) && !localClientRefusal(req.headers)) return next();
    res.status(403).json({ error: 'the simulator connector accepts only local clients' });
  };
  const activities = `${SIMULATOR_PREFIX}/v3/conversations/:conversationId/activities`;
  const simulatorJson = express.json({ limit: opts.maxBodyBytes });
  // A send, or a reply to :activityId (which is the activity's replyToId, not its own id).
  app.post(`${activities}{/:activityId}`, simulatorClient, simulatorJson, (req: Request, res: Response) => {
    const id = nextMessageId();
    // Bot Framework's replyToActivity names the activity replied to in the path only.
    const replyTo = req.params.activityId === undefined ? {} : { replyToId: String(req.params.activityId) };
    opts.onSimulatorReply({ conversationId: String(req.params.conversationId), op: 'send', activityId: id, activity: { ...replyTo, ...(req.body as Record<string, unknown>), id } });
    res.status(201).json({ id });
  });
  app.put(`${activities}/:activityId`, simulatorClient, simulatorJson, (req: Request, res: Response) => {
    const id = String(req.params.activityId);
    opts.onSimulatorReply({ conversationId: String(req.params.conversationId), op: 'update', activityId: id, activity: { ...(req.body as Record<string, unknown>), id } });
    res.status(200).json({ id });
  });
  app.delete(`${activities}/:activityId`, simulatorClient, (req: Request, res: Response) => {
    opts.onSimulatorReply({ conversationId: String(req.params.conversationId), op: 'delete', activityId: String(req.params.activityId) });
    res.status(200).end();
  });

  app.post('/{*rest}', readBody, (req: Request, res: Response) => {
    const request = inbound(req);
    const answer = opts.pipeline.finish(request, 404, {
      status: 'rejected', reason: 'wrong-path', detail: `POST ${req.path} is not the messaging endpoint; use ${opts.path}`,
    }, { fate: 'rejected', reason: 'wrong-path', detail: `POST to ${req.path}; webhook.path is ${opts.path}`, auth: 'not-checked' });
    opts.logger.warn(`[msteams] rejected HTTP 404 reason=wrong-path: POST ${req.path} (webhook.path is ${opts.path})`);
    send(res, answer);
  });

  // body-parser errors: too large, truncated, bad encoding. Recorded like any other request.
  app.use((err: Error & { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    answerError(err, req, res);
  });
  const answerError = (err: Error & { type?: string; status?: number }, req: http.IncomingMessage, res: http.ServerResponse) => {
    const request: InboundRequest = { source: classifySource(req.socket.remoteAddress, req.headers), headers: req.headers, body: Buffer.alloc(0), startedAt: startedAt(req) };
    if (err.type === 'entity.too.large') {
      const detail = `the body is larger than webhook.maxBodyBytes (${opts.maxBodyBytes} bytes)`;
      opts.logger.warn(`[msteams] rejected HTTP 413 reason=body-too-large: ${detail}`);
      send(res, opts.pipeline.finish(request, 413, { status: 'rejected', reason: 'body-too-large', detail }, { fate: 'rejected', reason: 'body-too-large', detail, auth: 'not-checked' }));
      return;
    }
    if (err.type === 'request.aborted') return;
    if (err instanceof URIError) {
      // The router could not percent-decode the path: the request line is malformed, not the body.
      const detail = `the request path cannot be decoded: ${err.message}`;
      opts.logger.warn(`[msteams] rejected HTTP 400 reason=bad-http-request: ${detail}`);
      send(res, opts.pipeline.finish(request, 400, { status: 'rejected', reason: 'bad-http-request', detail }, { fate: 'rejected', reason: 'bad-http-request', detail, auth: 'not-checked' }));
      return;
    }
    // Not from reading the body (body-parser and raw-body errors carry an HTTP status): a failure of our own route code.
    if (typeof err.status !== 'number' && typeof err.type !== 'string') {
      send(res, internalError(opts.pipeline, request, err, opts.logger));
      return;
    }
    const detail = `the body could not be read: ${err.message}`;
    opts.logger.warn(`[msteams] rejected HTTP 400 reason=malformed-json: ${detail}`);
    send(res, opts.pipeline.finish(request, 400, { status: 'rejected', reason: 'malformed-json', detail }, { fate: 'rejected', reason: 'malformed-json', detail, auth: 'not-checked' }));
  };

  // The fast path: a POST to the webhook path, spelled plainly, skips Express's router (about a tenth of
  // the gateway's CPU per request in the benchmark's profile) and goes through the very same steps as
  // above, in the same order: browser refusal before the body, the same body reader and limit, the same
  // error answers. Every other request, and any spelling Express would parse differently, goes to Express.
  const fastPaths = new Set([opts.path, `${opts.path}/`, LEGACY_PATH, `${LEGACY_PATH}/`].filter((p) => PLAIN_PATH.test(p) && !p.startsWith(`${SIMULATOR_PREFIX}/`)));
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    if (req.method !== 'POST' || !fastPaths.has(pathname) || (q >= 0 && !PLAIN_QUERY.test(url.slice(q)))) return void app(req, res);
    startedAt(req);
    try {
      if (!refuseLocalClient(req, res)) postActivity(req, res, pathname, (err) => void (res.headersSent || answerError(err as Error, req, res)));
    } catch (err) {
      // As Express's error handler would: our own code failing is internal-error.
      if (!res.headersSent) answerError(err as Error, req, res);
    }
  };
}

/** A path Express's URL parser (parseurl) returns exactly as written: printable ASCII, no "#". */
const PLAIN_PATH = /^\/[\x21-\x22\x24-\x7e]*$/;
/** A query string parseurl takes apart the same way (no fragment, no whitespace). */
const PLAIN_QUERY = /^\?[\x21-\x22\x24-\x7e]*$/;

/** Starts listening; resolves with the bound port, or rejects with a sentence that says what to do. */
export function listen(app: http.RequestListener, host: string, port: number, opts: { logger: Logger; pipeline: Pipeline }): Promise<http.Server> {
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 120_000;
  // Node would answer an Expect other than 100-continue with 417 itself, unrecorded; handle it like any request.
  server.on('checkExpectation', app);
  // Node's parser refuses malformed requests before Express sees them; record those too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const detail = `malformed HTTP request (${err.code ?? 'parse error'})`;
    opts.pipeline.finish({ source: classifySource(socket.remoteAddress, {}), headers: {}, body: Buffer.alloc(0), startedAt: performance.now() }, 400, {}, { fate: 'rejected', reason: 'bad-http-request', detail, auth: 'not-checked' });
    opts.logger.warn(`[msteams] rejected HTTP 400 reason=bad-http-request: ${detail}`);
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n{"status":"rejected","reason":"bad-http-request"}');
  });
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(new Error(`Port ${port} on ${host} is already in use (another teams-bot-dev, or your bot itself?): stop that process, or choose another port with webhook.port or --port.`));
      } else if (err.code === 'EACCES') {
        reject(new Error(`Not allowed to listen on ${host}:${port}: choose a port above 1023 with webhook.port or --port.`));
      } else {
        reject(new Error(`Cannot listen on ${host}:${port}: ${err.message}`));
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export function boundPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

function inbound(req: http.IncomingMessage & { body?: unknown }): InboundRequest {
  return {
    source: classifySource(req.socket.remoteAddress, req.headers),
    headers: req.headers,
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    startedAt: startedAt(req),
  };
}

const START = Symbol('startedAt');
function startedAt(req: http.IncomingMessage): number {
  const r = req as http.IncomingMessage & { [START]?: number };
  return (r[START] ??= performance.now());
}

async function run(pipeline: Pipeline, request: InboundRequest, res: http.ServerResponse, logger: Logger): Promise<void> {
  try {
    send(res, await pipeline.handle(request));
  } catch (err) {
    // A bug of ours: still answer, recorded and with a reason like every answer, and never hang the caller.
    if (!res.headersSent) send(res, internalError(pipeline, request, err, logger));
  }
}

/** The answer for a failure of the gateway itself: HTTP 500, reason internal-error, recorded, the stack in the log. */
function internalError(pipeline: Pipeline, request: InboundRequest, err: unknown, logger: Logger): PipelineResponse {
  logger.error(`[msteams] rejected HTTP 500 reason=internal-error: the gateway failed while handling a request (a bug; please report it): ${(err as Error)?.stack ?? String(err)}`);
  const detail = `the gateway failed while handling the request: ${(err as Error)?.message ?? String(err)}; see its log`;
  const body = { status: 'failed', reason: 'internal-error', detail };
  try {
    return pipeline.finish(request, 500, body, { fate: 'failed', reason: 'internal-error', detail, auth: 'not-checked' });
  } catch {
    // Recording failed too: answer anyway, with the same reason headers.
    return { status: 500, headers: { 'content-type': 'application/json; charset=utf-8', [FATE_HEADER]: 'failed', [REASON_HEADER]: 'internal-error' }, body: Buffer.from(JSON.stringify(body)) };
  }
}

/** Plain node:http, so Express's routes and the fast path answer alike. */
function send(res: http.ServerResponse, answer: PipelineResponse): void {
  // setHeader, not writeHead(status, headers): headers given to writeHead are final, and end() could then
  // no longer add the Content-Length (the answer would go out chunked).
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
  // The answer is on its way: now the record is made (Pipeline.recordAfterAnswer), before the event loop turns.
  try {
    void answer.record;
  } catch {
    // Recording failed: the pipeline tries again in the next turn and logs the failure with its stack.
  }
}
