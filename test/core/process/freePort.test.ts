import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { freePort, PICK_BELOW, PICK_FROM } from '../../../src/core/process/freePort';

/** The OS's ephemeral range on Linux, where this is known; undefined elsewhere. */
function linuxEphemeralRange(): [number, number] | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return [low, high];
  } catch {
    return undefined;
  }
}

describe('freePort', () => {
  it('picks ports below the ephemeral range, where no port-0 bind or outgoing connection can take them before the child binds', async () => {
    const range = linuxEphemeralRange();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      assert.ok(port >= PICK_FROM && port < PICK_BELOW, `port ${port}`);
      if (range) assert.ok(port < range[0], `port ${port} is in the ephemeral range ${range.join('–')}`);
    }
  });

  it('returns a port that can be listened on at once', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
