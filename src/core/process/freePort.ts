import * as net from 'node:net';

/**
 * A loopback port nothing listens on right now, for a child process's PORT
 * (the bot a conversation test starts, the bench's processes). Another
 * process can take it before the child binds it; callers that cannot retry
 * should bind port 0 themselves instead.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
