import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { startGateway, personalMessage } from '../support/gatewayHarness';

/** The files under `dir` this process holds open (Linux: /proc/self/fd). */
function openFilesUnder(dir: string): string[] {
  return fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir + path.sep) ? [target] : [];
    } catch {
      return [];
    }
  });
}

describe('a stopped gateway holds no file open', () => {
  it('after stop, activities.jsonl is written and no descriptor under the state dir is left for the garbage collector to close', async function () {
    if (!fs.existsSync('/proc/self/fd')) this.skip(); // needs Linux's /proc
    const gw = await startGateway({ dmPolicy: 'open', bot: { echo: true } });
    const stateDir = fs.realpathSync(gw.stateDir);
    try {
      const res = await gw.post(personalMessage({ id: '29:alice', name: 'Alice' }, 'hi', 'http://127.0.0.1:9/'));
      assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'echo');
      await gw.gateway.activities.flush();
      assert.ok(openFilesUnder(stateDir).some((f) => f.endsWith('activities.jsonl')), 'the log is open while running (else this test proves nothing)');
      await gw.gateway.stop();
      assert.deepEqual(openFilesUnder(stateDir), []);
      assert.match(fs.readFileSync(path.join(stateDir, 'activities.jsonl'), 'utf8'), /"reason":"echo"/);
    } finally {
      await gw.stop();
    }
  });
});

describe('stop() waits for the sends it started', () => {
  it('a pairing code still on its way when stop() is called is sent and recorded before stop() resolves (nothing written after)', async () => {
    // A Bot Connector stand-in on loopback that holds the pairing code until the gateway is stopping.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const connector = http.createServer((req, res) => {
      req.resume();
      received();
      void held.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"sent-1"}'));
    });
    await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', resolve));
    const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
    const gw = await startGateway({ dmPolicy: 'pairing' });
    const stateDir = fs.realpathSync(gw.stateDir);
    try {
      const res = await gw.post(personalMessage({ id: '29:bob', name: 'Bob' }, 'hi', serviceUrl));
      assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'dm-pairing-pending');
      await arrived;
      const off = gw.gateway.on('state', (s) => { if (s.status === 'stopping') release(); });
      await gw.gateway.stop();
      off();
      const onDisk = fs.readFileSync(path.join(stateDir, 'activities.jsonl'), 'utf8');
      assert.match(onDisk, /"reason":"sent"/, 'the pairing code send is recorded on disk by the time stop() resolves');
      assert.match(fs.readFileSync(path.join(stateDir, 'pairing.json'), 'utf8'), /"repliedAt"/, 'the replied mark is saved');
    } finally {
      release();
      await gw.stop();
      await new Promise<void>((resolve) => connector.close(() => resolve()));
    }
  });
});
