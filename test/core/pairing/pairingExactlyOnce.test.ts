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
import { startGateway, personalMessage, type RunningGateway } from '../../support/gatewayHarness';
import { PairingStore } from '../../../src/core/pairing/pairingStore';
import { approvePairing } from '../../../src/core/pairing/pairingActions';
import { MemoryLogger } from '../../../src/core/logger';
import type { ActivitySender } from '../../../src/core/gateway/activitySender';
import { waitFor, sleep } from '../../support/cli';

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

  const cleanup: (() => Promise<unknown> | void)[] = [];

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
  it('the same code approved by two processes at once is applied and announced exactly once; the other is told it was already approved', async () => {
    for (let round = 0; round < 20; round++) {
      const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-approve-'));
      cleanup.push(() => fs.rm(stateDir, { recursive: true, force: true }));
      const gatewayStore = openStore(stateDir);
      const touched = await gatewayStore.touch({ id: '29:dora', meta: { name: 'Dora', aadObjectId: 'DDDDDDDD-0000-4000-8000-000000000001' } });
      assert.equal(touched.kind, 'created');
      const code = (touched as { request: { code: string } }).request.code;
      // Two processes: two stores on the same state dir, each with its own notifier.
      const [a, b] = [openStore(stateDir), openStore(stateDir)];
      const notices: string[] = [];
      const approve = (store: PairingStore, who: string) =>
        approvePairing({ configFile: path.join(stateDir, 'teams-bot.config.json'), store, logger: new MemoryLogger(), via: who, notify: async (r) => (notices.push(`${who}:${r.id}`), { sent: true, detail: 'told' }) }, code);
      const results = await Promise.all([approve(a, 'cli-1'), approve(b, 'cli-2')]);
      for (const s of [gatewayStore, a, b]) s.close();
      assert.equal(results.filter((r) => !r.alreadyApproved).length, 1, `round ${round}: applied once`);
      assert.equal(results.filter((r) => r.alreadyApproved).length, 1, `round ${round}: the other is told it was already approved`);
      assert.equal(notices.length, 1, `round ${round}: one notice, not ${notices.join(', ')}`);
      const allow = JSON.parse(await fs.readFile(path.join(stateDir, 'allowFrom.json'), 'utf8'));
      assert.deepEqual(allow.allowFrom, ['DDDDDDDD-0000-4000-8000-000000000001']);
      assert.equal(allow.senders.length, 1);
      const pairingFile = JSON.parse(await fs.readFile(path.join(stateDir, 'pairing.json'), 'utf8'));
      assert.deepEqual(pairingFile.requests, []);
      assert.equal(pairingFile.recent.filter((r: { outcome: string }) => r.outcome === 'approved').length, 1);
      await assert.rejects(fs.stat(path.join(stateDir, 'teams-bot.config.json')), 'the config is not written by an approval');
    }
  });

  it('a sender another process approved a moment ago is never issued a fresh code, even by a store that has not seen the approval yet', async () => {
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-approve-'));
    cleanup.push(() => fs.rm(stateDir, { recursive: true, force: true }));
    // The gateway's store loaded before anything happened and has not reloaded since (its watcher is slower than the sender).
    const gatewayStore = openStore(stateDir);
    await gatewayStore.load();
    // Meanwhile another process saw the sender's first message and approved the code.
    const other = openStore(stateDir);
    const first = await other.touch({ id: '29:erin', meta: { name: 'Erin', aadObjectId: 'EEEEEEEE-0000-4000-8000-000000000001' } });
    await approvePairing({ configFile: path.join(stateDir, 'teams-bot.config.json'), store: other, logger: new MemoryLogger() }, (first as { request: { code: string } }).request.code);
    // To the gateway's memory Erin is neither pending nor approved: her next message must still not start a new pairing.
    assert.equal(gatewayStore.has('29:erin'), false);
    const again = await gatewayStore.touch({ id: '29:erin', meta: { name: 'Erin', aadObjectId: 'EEEEEEEE-0000-4000-8000-000000000001' } });
    for (const s of [gatewayStore, other]) s.close();
    assert.deepEqual(again, { kind: 'approved' });
    assert.equal(gatewayStore.isApproved({ id: '29:erin', aadObjectId: 'eeeeeeee-0000-4000-8000-000000000001' }), true, 'and it now knows');
    const onDisk = JSON.parse(await fs.readFile(path.join(stateDir, 'pairing.json'), 'utf8'));
    assert.deepEqual(onDisk.requests, [], 'no new pending request');
  });

  it('approving while senders keep writing: no fresh code, no second reply, no pending request left once approved', async () => {
    const sender = countingSender();
    gw = await startGateway({ dmPolicy: 'pairing', pairing: { maxPending: 1000 }, bot: { echo: true } }, { sender });
    const SENDERS = 12;
    const people = Array.from({ length: SENDERS }, (_, i) => ({ id: `29:writer-${i}`, name: `Writer ${i}`, aadObjectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
    const codes = new Map<string, string>();
    for (const p of people) {
      const first = await gw.post(personalMessage(p, 'first', SERVICE_URL));
      codes.set(p.id, /code ([A-Z0-9]{8})/.exec(first.json.detail)![1]);
    }
    await waitFor(() => sender.sent.size === SENDERS, 'every first code sent');
    // Another process (the CLI) approves everyone while each of them keeps writing.
    const cli = openStore(gw.stateDir);
    cleanup.push(() => cli.close());
    let approving = true;
    const answers: { who: string; reason: string; detail: string }[] = [];
    const writers = people.map(async (p) => {
      let n = 0;
      // Keep writing until the approvals are done and this sender has been let in twice in a row.
      for (let delivered = 0; approving || delivered < 2; ) {
        const res = await gw!.post(personalMessage(p, `message ${n++}`, SERVICE_URL));
        answers.push({ who: p.id, reason: res.json?.reason ?? res.headers.get('x-teams-bot-dev-reason'), detail: res.json?.detail ?? '' });
        delivered = res.headers.get('x-teams-bot-dev-reason') === 'echo' ? delivered + 1 : 0;
        await sleep(2);
      }
    });
    const approvals = Promise.all(people.map((p) => approvePairing({ configFile: gw!.configFile, store: cli, logger: new MemoryLogger(), via: 'cli' }, codes.get(p.id)!)));
    const approved = await approvals;
    approving = false;
    await writers;
    assert.ok(approved.every((r) => !r.alreadyApproved));
    await settled(() => [...sender.sent.values()].reduce((n, v) => n + v.length, 0));

    for (const p of people) {
      const mine = answers.filter((a) => a.who === p.id);
      const fresh = mine.filter((a) => a.reason === 'dm-pairing-pending' && !a.detail.includes(codes.get(p.id)!));
      assert.deepEqual(fresh, [], `${p.id} was issued a fresh code`);
      const codeReplies = sender.sent.get(`a:personal-${p.id}`)!.filter((text) => /Your pairing code is/.test(text));
      assert.equal(codeReplies.length, 1, `${p.id} got a second "not approved yet" reply`);
      // Once let in, never pending again.
      const firstIn = mine.findIndex((a) => a.reason === 'echo');
      assert.ok(firstIn >= 0);
      assert.deepEqual(mine.slice(firstIn).filter((a) => a.reason !== 'echo'), [], `${p.id} was refused after being let in`);
    }
    assert.deepEqual(gw.gateway.pairing.list(), [], 'no stale pending request in the gateway');
    await gw.gateway.pairing.flush();
    const onDisk = JSON.parse(await fs.readFile(path.join(gw.stateDir, 'pairing.json'), 'utf8'));
    assert.deepEqual(onDisk.requests, [], 'no stale pending request on disk');
  });
});
