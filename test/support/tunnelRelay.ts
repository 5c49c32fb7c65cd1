import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The tunnel's public URL in tests: a loopback HTTP relay to the webhook that
 * adds what a dev tunnel's relay adds to every request it forwards
 * (X-Forwarded-For, -Host, -Proto and the devtunnel's own header), so the
 * gateway classifies what arrives as "tunnel" exactly as it would in real use.
 */
export interface TunnelRelay {
  /** The "public" URL (origin only), e.g. http://127.0.0.1:53211 */
  url: string;
  /** Requests relayed so far. */
  relayed: number;
  stop(): Promise<void>;
}

export const RELAY_PUBLIC_HOST = 'mybot-3978.euw.devtunnels.ms';

export async function startTunnelRelay(targetPort: number, targetHost = '127.0.0.1'): Promise<TunnelRelay> {
  const relay: TunnelRelay = { url: '', relayed: 0, stop: async () => {} };
  const server = http.createServer((req, res) => {
    relay.relayed++;
    const headers = {
      ...req.headers,
      host: `${targetHost}:${targetPort}`,
      'x-forwarded-for': '52.112.0.10',
      'x-forwarded-host': RELAY_PUBLIC_HOST,
      'x-forwarded-proto': 'https',
      'x-ms-devtunnel-id': 'mybot.euw',
    };
    const upstream = http.request({ host: targetHost, port: targetPort, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // What a dev tunnel answers when nothing listens behind it.
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('502 Bad Gateway: the tunnel host could not connect to the local port');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  relay.stop = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return relay;
}
