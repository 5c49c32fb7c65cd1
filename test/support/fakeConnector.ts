/**
 * A loopback stand-in for the Bot Connector: records every activity it is sent
 * (path, Authorization header, body) and answers like the real service, or
 * fails or hangs on demand.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedActivity {
  method: string;
  /** The raw request path, still URL-encoded. */
  path: string;
  conversationId: string;
  /** Set when the reply went to /activities/:activityId. */
  activityId?: string;
  authorization?: string;
  body: unknown;
}

export type FakeConnectorMode =
  | { kind: 'ok' }
  | { kind: 'fail'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'redirect'; location: string };

export interface FakeConnector {
  /** e.g. http://127.0.0.1:PORT/teams — a serviceUrl with a region path, like the real ones. */
  readonly serviceUrl: string;
  readonly origin: string;
  readonly received: ReceivedActivity[];
  /** Every request, including ones that were not activity posts. */
  readonly requestCount: () => number;
  setMode(mode: FakeConnectorMode): void;
  stop(): Promise<void>;
}

const ROUTE = /^\/teams\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;

export async function startFakeConnector(): Promise<FakeConnector> {
  const received: ReceivedActivity[] = [];
  let mode: FakeConnectorMode = { kind: 'ok' };
  let requests = 0;
  let nextId = 1;

  const server = http.createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const m = ROUTE.exec(path);
      if (req.method !== 'POST' || !m) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'NotFound', message: `no route ${req.method} ${path}` } }));
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      received.push({
        method: req.method,
        path,
        conversationId: decodeURIComponent(m[1]),
        activityId: m[2] === undefined ? undefined : decodeURIComponent(m[2]),
        authorization: req.headers.authorization,
        body,
      });
      if (mode.kind === 'hang') return; // never answer
      if (mode.kind === 'redirect') {
        res.writeHead(307, { location: mode.location });
        res.end();
        return;
      }
      if (mode.kind === 'fail') {
        res.writeHead(mode.status, { 'content-type': 'application/json', ...mode.headers });
        res.end(JSON.stringify(mode.body ?? { error: { code: 'Failure', message: `fake connector says ${mode.status}` } }));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `activity-${nextId++}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    serviceUrl: `${origin}/teams/`,
    received,
    requestCount: () => requests,
    setMode(m) {
      mode = m;
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
