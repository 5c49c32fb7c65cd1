import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { PairingStore, RECENT_LIMIT, type PairingEvents, type PairingFileOnDisk } from '../../../src/core/pairing/pairingStore';
import { PAIRING_CODE_ALPHABET, normalizePairingCode } from '../../../src/core/pairing/pairingCode';
import { MemoryLogger } from '../../../src/core/logger';
import type { PairingOutcome, PairingRequest } from '../../../src/core/pairing/pairingRequest';

const REPO = path.resolve(__dirname, '../../..');
const STORE_MODULE = path.join(REPO, 'src/core/pairing/pairingStore.ts');
const T0 = Date.parse('2025-03-01T10:00:00.000Z');

describe('PairingStore', () => {
  let dir: string;
  let file: string;
  let clock: number;
  const stores: PairingStore[] = [];

  beforeEach(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'tbd-pairing-'));
    file = path.join(dir, 'pairing.json');
    clock = T0;
  });

  afterEach(async () => {
    for (const s of stores.splice(0)) s.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  function make(opts: { ttlMinutes?: number; maxPending?: number; logger?: MemoryLogger; fixedClock?: boolean } = {}): PairingStore {
    const store = new PairingStore({
      file,
      ttlMinutes: opts.ttlMinutes ?? 60,
      maxPending: opts.maxPending ?? 10,
      logger: opts.logger,
      now: opts.fixedClock === false ? undefined : () => new Date(clock),
    });
    stores.push(store);
    return store;
  }

  function minutes(n: number): void {
    clock += n * 60_000;
  }

  function readDisk(): PairingFileOnDisk {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PairingFileOnDisk;
  }

  function collect(store: PairingStore) {
    const events: { name: keyof PairingEvents; payload: unknown }[] = [];
    store.on('requested', (p) => events.push({ name: 'requested', payload: p }));
    store.on('resolved', (p) => events.push({ name: 'resolved', payload: p }));
    store.on('changed', (p) => events.push({ name: 'changed', payload: p }));
    return events;
  }

  it('starts empty when the file is missing and does not create it', async () => {
    const store = make();
    await store.load();
    assert.deepEqual(store.list(), []);
    assert.equal(fs.existsSync(file), false);
  });

  it('creates a request with an 8-character unambiguous code and writes readable JSON', async () => {
    const store = make();
    await store.load();
    const events = collect(store);
    const result = await store.touch({ id: '29:alice', meta: { name: 'Alice', conversationId: 'a:1', tenantId: 't1' } });
    assert.equal(result.kind, 'created');
    const code = result.request.code;
    assert.match(code, new RegExp(`^[${PAIRING_CODE_ALPHABET}]{8}$`));
    assert.doesNotMatch(code, /[01OIL]/);
    assert.deepEqual(result.request, {
      id: '29:alice',
      code,
      createdAt: '2025-03-01T10:00:00.000Z',
      lastSeenAt: '2025-03-01T10:00:00.000Z',
      meta: { name: 'Alice', conversationId: 'a:1', tenantId: 't1', count: 1 },
    });

    const text = fs.readFileSync(file, 'utf8');
    assert.equal(text, `${JSON.stringify({ version: 1, requests: [result.request] }, null, 2)}\n`);
    assert.ok(text.includes('\n  "requests": [\n'), 'two-space indentation');

    assert.deepEqual(events.map((e) => e.name), ['requested', 'changed']);
    assert.deepEqual(events[0].payload, result.request);
    assert.deepEqual(events[1].payload, [result.request]);
  });

  it('keeps one request per sender: same code, count and lastSeenAt advance, meta refreshed', async () => {
    const store = make();
    const first = await store.touch({ id: '29:bob', meta: { name: 'Bob', conversationId: 'c1' } });
    minutes(3);
    const second = await store.touch({ id: '29:bob', meta: { name: 'Bobby', conversationId: undefined, serviceUrl: 'https://smba.trafficmanager.net/emea/' } });
    minutes(1);
    const third = await store.touch({ id: '29:bob', meta: {} });
    assert.equal(first.kind, 'created');
    assert.equal(second.kind, 'existing');
    assert.equal(third.kind, 'existing');
    assert.equal(third.request.code, first.request.code);
    assert.deepEqual(third.request, {
      id: '29:bob',
      code: first.request.code,
      createdAt: '2025-03-01T10:00:00.000Z',
      lastSeenAt: '2025-03-01T10:04:00.000Z',
      // An absent field in a later activity does not erase what an earlier one told us.
      meta: { name: 'Bobby', conversationId: 'c1', serviceUrl: 'https://smba.trafficmanager.net/emea/', count: 3 },
    });
    assert.equal(store.list().length, 1);
    // Repeat messages are saved in a batch, not with one locked write each.
    assert.equal(readDisk().requests[0].meta.count, 1);
    await store.flush();
    assert.deepEqual(readDisk().requests, [third.request]);
  });

  it('batched repeat counts survive another process writing in between, and vanish with a resolved request', async () => {
    const store = make();
    const other = make();
    const bob = await store.touch({ id: '29:bob', meta: { name: 'Bob' } });
    const dave = await store.touch({ id: '29:dave', meta: { name: 'Dave' } });
    if (!('request' in bob) || !('request' in dave)) throw new Error('expected a request');
    await store.touch({ id: '29:bob', meta: {} });
    await store.touch({ id: '29:dave', meta: {} });
    await other.load();
    await other.resolve(dave.request.code, 'rejected');
    await other.touch({ id: '29:erin', meta: {} });
    await store.flush();
    const disk = readDisk().requests;
    assert.deepEqual(disk.map((r: { id: string; meta: { count: number } }) => [r.id, r.meta.count]), [['29:bob', 2], ['29:erin', 1]]);
    assert.equal(store.pendingCount(), 2);
    assert.equal(store.has('29:dave'), false);
  });

  it('finds a request by code ignoring case, spaces and dashes, and by sender', async () => {
    const store = make();
    const r = await store.touch({ id: '29:carol', meta: {} });
    if (!('request' in r)) throw new Error('expected a request');
    const code = r.request.code;
    const typed = `${code.slice(0, 4).toLowerCase()} - ${code.slice(4)}`;
    assert.equal(store.getByCode(typed)?.id, '29:carol');
    assert.equal(store.getByCode(`${code.slice(0, 4)}\u2013${code.slice(4)}`)?.id, '29:carol');
    assert.equal(store.getByCode('ZZZZZZZZ'), undefined);
    assert.equal(store.getBySender('29:carol')?.code, code);
    assert.equal(store.getBySender('29:nobody'), undefined);
    assert.equal(normalizePairingCode(' ab-cd efgh '), 'ABCDEFGH');
  });

  it('refuses new senders beyond maxPending but still counts known ones', async () => {
    const store = make({ maxPending: 2 });
    assert.equal((await store.touch({ id: 'u1', meta: {} })).kind, 'created');
    minutes(1);
    assert.equal((await store.touch({ id: 'u2', meta: {} })).kind, 'created');
    assert.deepEqual(await store.touch({ id: 'u3', meta: {} }), { kind: 'full', pending: 2 });
    const again = await store.touch({ id: 'u1', meta: {} });
    assert.equal(again.kind, 'existing');
    assert.equal(again.request.meta.count, 2);
    assert.deepEqual(store.list().map((r) => r.id), ['u1', 'u2']);
    assert.deepEqual(readDisk().requests.map((r) => r.id), ['u1', 'u2']);

    store.setLimits({ ttlMinutes: 60, maxPending: 3 });
    assert.equal((await store.touch({ id: 'u3', meta: {} })).kind, 'created');
  });

  it('expires requests ttlMinutes after creation, emitting resolved/expired, and frees their slots', async () => {
    const store = make({ ttlMinutes: 10, maxPending: 2 });
    const a = await store.touch({ id: 'old', meta: {} });
    minutes(6);
    const b = await store.touch({ id: 'newer', meta: {} });
    minutes(3);
    // Seen again at minute 9: expiry still counts from createdAt.
    await store.touch({ id: 'old', meta: {} });
    if (!('request' in a) || !('request' in b)) throw new Error('expected a request');
    const events = collect(store);

    minutes(2); // minute 11: "old" is past its 10 minutes, "newer" is 5 minutes old
    assert.deepEqual(store.list().map((r) => r.id), ['newer']);
    assert.deepEqual(events.map((e) => e.name), ['resolved', 'changed']);
    const resolved = events[0].payload as { request: PairingRequest; outcome: PairingOutcome };
    assert.equal(resolved.outcome, 'expired');
    assert.equal(resolved.request.id, 'old');
    assert.equal(resolved.request.code, a.request.code);
    assert.equal(store.getByCode(a.request.code), undefined);

    // Reading again does not report it twice.
    store.list();
    assert.equal(events.length, 2);

    // The next write drops it from the file and records why; its slot is free again.
    const c = await store.touch({ id: 'third', meta: {} });
    assert.equal(c.kind, 'created');
    const disk = readDisk();
    assert.deepEqual(disk.requests.map((r) => r.id), ['newer', 'third']);
    assert.deepEqual(disk.recent, [{ id: 'old', code: a.request.code, outcome: 'expired', at: '2025-03-01T10:11:00.000Z' }]);
    assert.equal(events.length, 4, 'requested + changed for "third" only');
    assert.deepEqual(events.slice(2).map((e) => e.name), ['requested', 'changed']);
  });

  it('a fresh store does not resurrect expired requests from the file', async () => {
    const writer = make({ ttlMinutes: 5 });
    await writer.touch({ id: 'x', meta: {} });
    minutes(5);
    const reader = make({ ttlMinutes: 5 });
    await reader.load();
    assert.deepEqual(reader.list(), []);
  });

  // Checked by the type check (npx tsc, part of npm test): resolve() must not be able to record an approval,
  // which would drop the request without letting the sender in. Reverting the signature fails it (unused directive).
  it('resolve() records rejections only: an approval goes through approve()', () => {
    const approveThroughResolve = (s: PairingStore) =>
      // @ts-expect-error 'approved' is not an outcome resolve() records
      s.resolve('ABCD2345', 'approved');
    assert.equal(typeof approveThroughResolve, 'function');
  });

  it('resolve removes the request, records the outcome and returns undefined for unknown codes', async () => {
    const store = make();
    const r = await store.touch({ id: 'dave', meta: { name: 'Dave' } });
    const s = await store.touch({ id: 'erin', meta: {} });
    if (!('request' in r) || !('request' in s)) throw new Error('expected a request');
    const events = collect(store);
    minutes(1);
    const removed = await store.resolve(r.request.code.toLowerCase(), 'rejected');
    assert.deepEqual(removed, r.request);
    assert.equal(await store.resolve(r.request.code, 'rejected'), undefined);
    assert.equal(await store.resolve('NOPE2345', 'rejected'), undefined);
    assert.deepEqual(store.list().map((x) => x.id), ['erin']);
    assert.deepEqual(events.map((e) => e.name), ['resolved', 'changed']);
    assert.deepEqual(events[0].payload, { request: r.request, outcome: 'rejected' });
    assert.deepEqual(readDisk().recent, [{ id: 'dave', code: r.request.code, outcome: 'rejected', at: '2025-03-01T10:01:00.000Z' }]);

    await store.resolve(s.request.code, 'rejected');
    assert.equal(readDisk().recent?.[1].outcome, 'rejected');
  });

  it('keeps only the newest RECENT_LIMIT resolutions in the file', async () => {
    const store = make({ maxPending: 100 });
    const codes: string[] = [];
    for (let i = 0; i < RECENT_LIMIT + 5; i++) {
      const r = await store.touch({ id: `s${i}`, meta: {} });
      if ('request' in r) codes.push(r.request.code);
    }
    for (const code of codes) await store.resolve(code, 'rejected');
    const recent = readDisk().recent ?? [];
    assert.equal(recent.length, RECENT_LIMIT);
    assert.equal(recent[0].id, 's5');
    assert.equal(recent[RECENT_LIMIT - 1].id, `s${RECENT_LIMIT + 4}`);
  });

  it('markReplied stamps repliedAt once the auto-reply went out', async () => {
    const store = make();
    await store.touch({ id: 'frank', meta: {} });
    minutes(1);
    await store.markReplied('frank');
    await store.markReplied('nobody');
    assert.equal(store.getBySender('frank')?.repliedAt, '2025-03-01T10:01:00.000Z');
    // On disk with the next batch.
    assert.equal(readDisk().requests[0].repliedAt, undefined);
    await store.flush();
    assert.equal(readDisk().requests[0].repliedAt, '2025-03-01T10:01:00.000Z');
  });

  it('new senders arriving together get one request each and their own code; their repeat messages in flight are counted', async () => {
    const store = make();
    await store.load();
    const ids = Array.from({ length: 8 }, (_, i) => `29:user-${i}`);
    const results = await Promise.all(ids.flatMap((id) => [store.touch({ id, meta: {} }), store.touch({ id, meta: {} })]));
    const created = results.filter((r) => r.kind === 'created');
    assert.equal(created.length, 8, 'one request per sender, even with two messages in flight');
    const codes = new Set(created.map((r) => (!('request' in r) ? '' : r.request.code)));
    assert.equal(codes.size, 8);
    await store.flush();
    const disk = readDisk().requests as { id: string; meta: { count: number } }[];
    assert.equal(disk.length, 8);
    assert.ok(disk.every((r) => r.meta.count === 2), JSON.stringify(disk.map((r) => r.meta.count)));
  });

  it('lists oldest first', async () => {
    const store = make();
    for (const id of ['p', 'q', 'r']) {
      await store.touch({ id, meta: {} });
      minutes(1);
    }
    await store.touch({ id: 'p', meta: {} });
    assert.deepEqual(store.list().map((r) => r.id), ['p', 'q', 'r']);
  });

  for (const [label, content] of [
    ['bad JSON', '{"version": 1, "requests": [ {'],
    ['a wrong version', '{"version": 2, "requests": []}\n'],
    ['a wrong shape', '{"version": 1, "requests": [{"id": 42}]}\n'],
  ] as const) {
    it(`moves a file with ${label} aside, warns once and starts empty`, async () => {
      fs.writeFileSync(file, content);
      const logger = new MemoryLogger();
      const store = make({ logger });
      await store.load();
      assert.deepEqual(store.list(), []);
      const aside = `${file}.corrupt-2025-03-01T10-00-00-000Z`;
      assert.deepEqual(fs.readdirSync(dir).sort(), ['pairing.json.corrupt-2025-03-01T10-00-00-000Z']);
      assert.equal(fs.readFileSync(aside, 'utf8'), content);
      const warns = logger.lines.filter((l) => l.level === 'warn');
      assert.equal(warns.length, 1);
      assert.ok(warns[0].message.includes(file), warns[0].message);
      assert.ok(warns[0].message.includes(aside), warns[0].message);
      assert.match(warns[0].message, /Approved senders are safe: they live in allowFrom.json and the config's allowFrom/);
      assert.equal(warns[0].message.includes('\n'), false, 'one line');

      // The store keeps working on a fresh file.
      assert.equal((await store.touch({ id: 'g', meta: {} })).kind, 'created');
      assert.equal(readDisk().requests.length, 1);
    });
  }

  it('moves a corrupt file aside when a mutation finds it, too', async () => {
    const store = make();
    await store.touch({ id: 'h', meta: {} });
    fs.writeFileSync(file, 'garbage');
    const logger = new MemoryLogger();
    const other = make({ logger });
    const r = await other.touch({ id: 'i', meta: {} });
    assert.equal(r.kind, 'created');
    assert.deepEqual(readDisk().requests.map((x) => x.id), ['i']);
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1);
    assert.equal(fs.readdirSync(dir).filter((n) => n.includes('.corrupt-')).length, 1);
  });

  it('loses no update with two stores and a child process writing at once; the file is always valid JSON', async function () {
    this.timeout(60_000);
    const N = 25;
    const a = make({ maxPending: 1000, fixedClock: false });
    const b = make({ maxPending: 1000, fixedClock: false });

    // Keep parsing the file while everyone writes: a torn or half-written file fails here.
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        let text: string | undefined;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        if (text !== undefined) {
          const parsed = JSON.parse(text) as PairingFileOnDisk;
          assert.equal(parsed.version, 1);
          assert.ok(text.endsWith('}\n'));
          reads++;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    async function worker(store: PairingStore, prefix: string): Promise<void> {
      const created = await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const r = await store.touch({ id: `${prefix}-${i}`, meta: { name: `${prefix}${i}` } });
          await store.touch({ id: 'shared', meta: {} });
          return r;
        }),
      );
      await Promise.all(
        created.map((r, i) => (i % 2 === 0 && 'request' in r ? store.resolve(r.request.code, 'rejected') : undefined)),
      );
    }

    // The child loads first and starts on our signal, so all three really write at the same time.
    const childCode = `
      const { PairingStore } = require(${JSON.stringify(STORE_MODULE)});
      const store = new PairingStore({ file: ${JSON.stringify(file)}, ttlMinutes: 60, maxPending: 1000 });
      process.stdout.write('ready\\n');
      process.stdin.once('data', () => (async () => {
        const created = await Promise.all(Array.from({ length: ${N} }, async (_, i) => {
          const r = await store.touch({ id: 'C-' + i, meta: {} });
          await store.touch({ id: 'shared', meta: {} });
          return r;
        }));
        await Promise.all(created.map((r, i) => i % 2 === 0 ? store.resolve(r.request.code, 'rejected') : undefined));
      })().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); }));
    `;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', childCode], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    let childErr = '';
    child.stderr.on('data', (d) => (childErr += d));
    const childDone = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', () => reject(new Error(`child exited early: ${childErr}`)));
    });
    child.stdin.write('go\n');

    await Promise.all([worker(a, 'A'), worker(b, 'B')]);
    assert.equal(await childDone, 0, childErr);
    reading = false;
    await reader;

    const disk = readDisk();
    const odd = (p: string) => Array.from({ length: N }, (_, i) => i).filter((i) => i % 2 === 1).map((i) => `${p}-${i}`);
    const expected = ['shared', ...odd('A'), ...odd('B'), ...odd('C')].sort();
    assert.deepEqual(disk.requests.map((r) => r.id).sort(), expected);
    assert.equal(disk.requests.find((r) => r.id === 'shared')?.meta.count, 3 * N);
    assert.equal(new Set(disk.requests.map((r) => r.code)).size, disk.requests.length, 'codes unique');
    assert.equal(disk.recent?.length, 3 * Math.ceil(N / 2));
    assert.ok(disk.recent?.every((r) => r.outcome === 'rejected'));
    assert.ok(reads > 0);
    assert.equal(fs.existsSync(`${file}.lock`), false, 'lock released');

    // Without watch() a store knows the file as of its own last operation; a reload catches up.
    await a.load();
    assert.deepEqual(a.list().map((r) => r.id).sort(), expected);
    await b.load();
    assert.deepEqual(b.list().map((r) => r.id).sort(), expected);
  });

  describe('watch', () => {
    /**
     * The next `event`. The tests wait for the event itself; how soon it comes
     * is not asserted (a busy machine would make that flaky), and the timeout
     * is only a hang guard.
     */
    function next<K extends keyof PairingEvents>(store: PairingStore, event: K, timeoutMs = 5000): Promise<{ payload: PairingEvents[K] }> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no ${event} event within ${timeoutMs} ms`));
        }, timeoutMs);
        const off = store.once(event, (payload) => {
          clearTimeout(timer);
          resolve({ payload });
        });
      });
    }

    it('picks up requests created and resolved by another process', async () => {
      const gateway = make({ fixedClock: false });
      await gateway.load();
      gateway.watch();
      const cli = make({ fixedClock: false });

      const requested = next(gateway, 'requested');
      const r = await cli.touch({ id: 'watch-1', meta: { name: 'W' } });
      if (!('request' in r)) throw new Error('expected a request');
      const seenRequest = await requested;
      assert.deepEqual(seenRequest.payload, r.request);
      assert.equal(gateway.getByCode(r.request.code)?.id, 'watch-1');

      const approved = next(gateway, 'resolved');
      const changed = next(gateway, 'changed');
      await cli.approve(r.request.code, 'cli');
      const seen = await approved;
      assert.deepEqual(seen.payload, { request: r.request, outcome: 'approved' });
      assert.deepEqual((await changed).payload, []);
      assert.deepEqual(gateway.list(), []);

      const requested2 = next(gateway, 'requested');
      const r2 = await cli.touch({ id: 'watch-2', meta: {} });
      if (!('request' in r2)) throw new Error('expected a request');
      await requested2;
      const rejected = next(gateway, 'resolved');
      await cli.resolve(r2.request.code, 'rejected');
      const seenRejected = await rejected;
      assert.equal(seenRejected.payload.outcome, 'rejected');
    });

    it('picks up a resolve done by a child process', async () => {
      const gateway = make({ fixedClock: false });
      const r = await gateway.touch({ id: 'kid', meta: {} });
      if (!('request' in r)) throw new Error('expected a request');
      gateway.watch();
      const resolved = next(gateway, 'resolved', 10_000);
      const code = `
        const { PairingStore } = require(${JSON.stringify(STORE_MODULE)});
        new PairingStore({ file: ${JSON.stringify(file)}, ttlMinutes: 60, maxPending: 10 })
          .resolve(${JSON.stringify(r.request.code)}, 'rejected')
          .then((x) => process.exit(x ? 0 : 2), () => process.exit(1));
      `;
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', code], { cwd: REPO, stdio: 'inherit' });
      const exit = await new Promise<number>((res) => child.on('exit', (c) => res(c ?? -1)));
      assert.equal(exit, 0);
      const seen = await resolved;
      assert.deepEqual(seen.payload, { request: r.request, outcome: 'rejected' });
    });

    it('still notices changes when fs.watch reports nothing (network drives, some containers): the mtime poll', async () => {
      const gateway = make({ fixedClock: false });
      const r = await gateway.touch({ id: 'polled', meta: {} });
      if (!('request' in r)) throw new Error('expected a request');
      gateway.watch();
      // Silence the directory watcher, leaving only the mtime poll.
      gateway['watcher']?.close();
      const resolved = next(gateway, 'resolved');
      await make({ fixedClock: false }).approve(r.request.code, 'cli');
      const seen = await resolved;
      assert.deepEqual(seen.payload, { request: r.request, outcome: 'approved' });
    });

    it('reports its own changes once, not again through the watcher', async () => {
      const store = make({ fixedClock: false });
      store.watch();
      const events = collect(store);
      await store.touch({ id: 'self', meta: {} });
      await new Promise((r) => setTimeout(r, 900));
      assert.deepEqual(events.map((e) => e.name), ['requested', 'changed']);
    });

    it('stops after close()', async () => {
      const gateway = make({ fixedClock: false });
      gateway.watch();
      gateway.close();
      const events = collect(gateway);
      await make({ fixedClock: false }).touch({ id: 'late', meta: {} });
      await new Promise((r) => setTimeout(r, 700));
      assert.deepEqual(events, []);
    });
  });
});
