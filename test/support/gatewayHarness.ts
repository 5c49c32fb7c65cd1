import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Gateway, type GatewayOptions } from '../../src/core/gateway/gateway';
import { MemoryLogger } from '../../src/core/logger';
import type { ActivityRecord } from '../../src/core/activity/activityRecord';

/** A real gateway on a loopback port with its own temp config file and state dir. */
export interface RunningGateway {
  gateway: Gateway;
  url: string;
  port: number;
  dir: string;
  configFile: string;
  stateDir: string;
  logger: MemoryLogger;
  post(body: unknown, headers?: Record<string, string>, urlPath?: string): Promise<{ status: number; headers: Headers; json: any; text: string }>;
  /** Resolves with the next record matching the predicate (or one already recorded). */
  waitForRecord(pred: (r: ActivityRecord) => boolean, timeoutMs?: number): Promise<ActivityRecord>;
  stop(): Promise<void>;
}

export async function startGateway(config: Record<string, unknown>, options: Partial<GatewayOptions> = {}): Promise<RunningGateway> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-gw-'));
  const configFile = path.join(dir, 'teams-bot.config.json');
  const stateDir = path.join(dir, '.teams-bot');
  const merged = { ...config, webhook: { port: 0, ...(config.webhook as object | undefined) } };
  await fs.writeFile(configFile, `// test config\n${JSON.stringify(merged, null, 2)}\n`);
  const logger = new MemoryLogger();
  const gateway = new Gateway({ configFile, stateDir, logger, env: {}, ...options });
  const state = await gateway.start();
  const url = state.url!;
  const origin = new URL(url).origin;
  return {
    gateway, url, port: state.port!, dir, configFile, stateDir, logger,
    async post(body, headers = {}, urlPath) {
      const res = await fetch(urlPath ? origin + urlPath : url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try { json = JSON.parse(text); } catch { json = undefined; }
      return { status: res.status, headers: res.headers, json, text };
    },
    waitForRecord(pred, timeoutMs = 5000) {
      const existing = gateway.activities.list({ limit: 1000 }).find(pred);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { off(); reject(new Error('no matching activity record within ' + timeoutMs + ' ms')); }, timeoutMs);
        const off = gateway.on('activity', (r) => {
          if (pred(r)) { clearTimeout(timer); off(); resolve(r); }
        });
      });
    },
    async stop() {
      await gateway.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal Teams-shaped personal message. */
export function personalMessage(from: { id: string; name?: string; aadObjectId?: string }, text: string, serviceUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: `m-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: '28:bot-id', name: 'GatewayBot' },
    conversation: { id: `a:personal-${from.id}`, conversationType: 'personal', tenantId: 'tenant-1' },
    text,
    ...extra,
  };
}

/** A bot stand-in for forwarding tests: records requests and answers as told. */
export interface RecordingBot {
  url: string;
  requests: { headers: http.IncomingHttpHeaders; body: any }[];
  respond: (req: { body: any }) => { status: number; body?: unknown; delayMs?: number };
  stop(): Promise<void>;
}

export async function startRecordingBot(respond: RecordingBot['respond'] = () => ({ status: 200, body: {} })): Promise<RecordingBot> {
  const requests: RecordingBot['requests'] = [];
  const bot: RecordingBot = { url: '', requests, respond, stop: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      requests.push({ headers: req.headers, body });
      const answer = bot.respond({ body });
      const send = () => {
        if (answer.body === undefined) { res.writeHead(answer.status); res.end(); return; }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs); else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  bot.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  bot.stop = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return bot;
}
