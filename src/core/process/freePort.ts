import * as net from 'node:net';

/**
 * Ports are picked from here, below every OS's ephemeral range (Linux
 * 32768–60999, macOS and Windows 49152–65535). The OS hands out ephemeral
 * ports to anything that binds port 0 or connects out, so a port picked from
 * that range can be taken by an unrelated process (a browser, a debugger, the
 * VS Code server) between the pick and the child's bind; that is how a test
 * run once found its bot's port in use. Below the range only an explicit bind
 * can take it.
 */
export const PICK_FROM = 20_000;
export const PICK_BELOW = 32_768;
const ATTEMPTS = 50;

/**
 * A loopback port nothing listens on right now, for a child process's PORT
 * (the bot a conversation test starts, the bench's processes). It is not
 * reserved: callers that cannot retry should bind port 0 themselves instead.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = PICK_FROM + Math.floor(Math.random() * (PICK_BELOW - PICK_FROM));
    if (await canListen(port)) return port;
  }
  // A machine whose low ports are all taken: an ephemeral one is still better than none.
  return listenOn(0);
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenOn(port);
    return true;
  } catch {
    return false;
  }
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}
