import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActivityLog, MAX_STORED_BODY_BYTES, readActivities, type RecordInput } from '../../../src/core/activity/activityLog';
import { MemoryLogger } from '../../../src/core/logger';
import type { ActivityRecord } from '../../../src/core/activity/activityRecord';
import type { Reason } from '../../../src/core/reasons';
import { fateOf } from '../../../src/core/reasons';

const JWT = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"aud":"bot"}').toString('base64url')}.c2lnbmF0dXJlLWJ5dGVz`;

function input(n: number, over: Partial<RecordInput> & { reason?: Reason } = {}): RecordInput {
  const reason: Reason = over.reason ?? 'dm-open';
  return {
    direction: 'inbound',
    source: 'tunnel',
    status: 200,
    latencyMs: 3,
    auth: 'jwt-valid',
    fate: fateOf(reason),
    reason,
    summary: { type: 'message', senderId: `29:user${n % 3}`, text: `hello ${n}` },
    activity: { type: 'message', id: `act-${n}`, text: `hello ${n}`, from: { id: `29:user${n % 3}` }, recipient: { id: '28:bot' }, conversation: { id: 'a:conv' } },
    ...over,
  };
}

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

describe('ActivityLog', () => {
  let dir: string;
  const logs: ActivityLog[] = [];

  beforeEach(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'tbd-activities-'));
  });

  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  function make(opts: ConstructorParameters<typeof ActivityLog>[0] = {}): ActivityLog {
    const log = new ActivityLog(opts);
    logs.push(log);
    return log;
  }

  describe('in memory', () => {
    it('assigns unique, string-sortable ids and times, lists newest first and emits recorded', () => {
      const log = make({ capacity: 500 });
      const seen: ActivityRecord[] = [];
      log.on('recorded', (r) => seen.push(r));
      const records = Array.from({ length: 300 }, (_, i) => log.record(input(i)));
      const ids = records.map((r) => r.id);
      assert.equal(new Set(ids).size, 300);
      assert.deepEqual([...ids].sort(), ids, 'ids sort in recording order');
      assert.match(records[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(log.record(input(1, { time: '2025-01-01T00:00:00.000Z' })).time, '2025-01-01T00:00:00.000Z');
      assert.equal(seen.length, 301);
      assert.equal(seen[0], records[0]);

      const page = log.list();
      assert.equal(page.length, 100, 'default limit');
      assert.equal(page[1].id, ids[299]);
      assert.equal(page[100 - 1].id, ids[201]);
      assert.equal(log.get(ids[42]), records[42]);
      assert.equal(log.get('nope'), undefined);
      assert.equal(log.size(), 301);
    });

    it('keeps only the newest `capacity` records', () => {
      const log = make({ capacity: 5 });
      const ids = Array.from({ length: 8 }, (_, i) => log.record(input(i)).id);
      assert.equal(log.size(), 5);
      assert.deepEqual(log.list({ limit: 10 }).map((r) => r.id), ids.slice(3).reverse());
      assert.equal(log.get(ids[2]), undefined);
      assert.equal(log.get(ids[3])?.id, ids[3]);
    });

    it('filters by fate, not delivered, direction and sender, and pages with before', () => {
      const log = make();
      const reasons: Reason[] = ['dm-open', 'dm-pairing-pending', 'auth-expired', 'bot-timeout', 'dm-open', 'sent'];
      const recs = reasons.map((reason, i) => log.record(input(i, { reason, direction: reason === 'sent' ? 'outbound' : 'inbound' })));
      const ids = (q: Parameters<ActivityLog['list']>[0]) => log.list(q).map((r) => recs.indexOf(r));
      assert.deepEqual(ids({ notDelivered: true }), [3, 2, 1]);
      assert.deepEqual(ids({ fate: 'rejected' }), [2]);
      assert.deepEqual(ids({ direction: 'outbound' }), [5]);
      assert.deepEqual(ids({ senderId: '29:user1' }), [4, 1]);
      assert.deepEqual(ids({ limit: 2 }), [5, 4]);
      assert.deepEqual(ids({ limit: 2, before: recs[4].id }), [3, 2]);
      assert.deepEqual(ids({ before: recs[0].id }), []);
      assert.deepEqual(ids({ notDelivered: true, before: recs[3].id, limit: 1 }), [2]);
      assert.deepEqual(ids({ limit: 0 }), []);
    });

    it('redacts Authorization and tokens everywhere before storing', () => {
      const log = make();
      const r = log.record(
        input(1, {
          detail: `token request failed: client_secret=abc123 with Bearer ${JWT}`,
          summary: { type: 'message', senderId: '29:x', text: `my token is ${JWT}` },
          activity: { type: 'message', text: `pasted ${JWT}`, channelData: { headers: { Authorization: `Bearer ${JWT}` } }, value: { token: 'sso-token' } },
          botResponse: { status: 200, body: { access_token: 'at', note: `Bearer ${JWT}` } },
        }),
      );
      assert.equal(r.detail, 'token request failed: client_secret=[redacted] with Bearer [redacted]');
      assert.equal(r.summary.text, 'my token is [redacted]');
      assert.deepEqual(r.activity, { type: 'message', text: 'pasted [redacted]', channelData: { headers: { Authorization: '[redacted]' } }, value: { token: '[redacted]' } });
      assert.deepEqual(r.botResponse, { status: 200, body: { access_token: '[redacted]', note: 'Bearer [redacted]' } });
      assert.equal(JSON.stringify(r).includes(JWT.split('.')[2]), false);
    });

    it('redacts the warnings too: they quote what the bot answered', () => {
      const r = make().record(input(1, { warnings: [{ code: 'invoke-body', text: '"type" "Bearer sk-live-0123456789" is not one Teams knows' }] }));
      assert.deepEqual(r.warnings, [{ code: 'invoke-body', text: '"type" "Bearer [redacted]" is not one Teams knows' }]);
    });

    it('replaces oversized bodies by a truncated copy that states the original size', () => {
      const log = make();
      const text = 'x'.repeat(100_000);
      const activity = { type: 'message', id: 'big', text, from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'c' }, attachments: [{ contentUrl: 'data:...' }] };
      const r = log.record(input(1, { activity, botResponse: { status: 200, body: 'y'.repeat(70_000) } }));
      const originalBytes = Buffer.byteLength(JSON.stringify(activity));
      assert.deepEqual(Object.keys(r.activity ?? {}).sort(), ['_truncated', 'conversation', 'from', 'id', 'recipient', 'text', 'type']);
      assert.equal((r.activity?.text as string).length, 4096);
      assert.equal((r.activity?._truncated as { originalBytes: number }).originalBytes, originalBytes);
      assert.ok(Buffer.byteLength(JSON.stringify(r.activity)) < MAX_STORED_BODY_BYTES);
      assert.equal((r.botResponse?.body as { _truncated: { originalBytes: number } })._truncated.originalBytes, 70_002);

      const small = log.record(input(2));
      assert.equal(small.activity?.text, 'hello 2');
    });

    // How fast these queries are at this size is a figure of `npm run bench` (section 3, record scale), not asserted here.
    it('at 100,000 records: the newest page, the not-delivered filter and a no-match scan answer right', function () {
      this.timeout(60_000); // hang guard
      const log = make({ capacity: 100_000 });
      for (let i = 0; i < 110_000; i++) log.record(input(i, { reason: i % 500 === 0 ? 'bot-timeout' : 'dm-open' }));
      assert.equal(log.size(), 100_000);
      const texts = (rs: { summary: { text?: string } }[]) => rs.map((r) => r.summary.text);
      // The oldest 10,000 were evicted: records 10,000 … 109,999 remain, newest first.
      assert.deepEqual(texts(log.list({ limit: 3 })), ['hello 109999', 'hello 109998', 'hello 109997']);
      assert.equal(log.list({ limit: 100 }).length, 100);
      const notDelivered = log.list({ notDelivered: true, limit: 1000 });
      assert.equal(notDelivered.length, 200);
      assert.deepEqual(texts(notDelivered.slice(0, 2)), ['hello 109500', 'hello 109000']);
      assert.ok(notDelivered.every((r) => r.reason === 'bot-timeout'));
      assert.deepEqual(log.list({ senderId: 'nobody', limit: 100 }), []);
    });
  });

  describe('on disk', () => {
    const file = () => path.join(dir, 'activities.jsonl');

    it('appends one JSON line per record, in order', async () => {
      const log = make({ dir });
      const recs = Array.from({ length: 50 }, (_, i) => log.record(input(i)));
      await log.flush();
      const onDisk = lines(file()).map((l) => JSON.parse(l) as ActivityRecord);
      assert.deepEqual(onDisk.map((r) => r.id), recs.map((r) => r.id));
      assert.deepEqual(onDisk[7], JSON.parse(JSON.stringify(recs[7])));
    });

    it('never writes a secret to the file', async () => {
      const log = make({ dir });
      log.record(input(1, { activity: { type: 'message', text: `Bearer ${JWT}`, headers: ['Authorization', `Bearer ${JWT}`] } }));
      await log.flush();
      const raw = fs.readFileSync(file(), 'utf8');
      assert.equal(raw.includes(JWT), false);
      assert.equal(raw.includes('c2lnbmF0dXJlLWJ5dGVz'), false);
      assert.ok(raw.includes('"headers":["Authorization","[redacted]"]'));
    });

    it('rotates past maxFileBytes and keeps maxFiles rotated files', async () => {
      const log = make({ dir, maxFileBytes: 4000, maxFiles: 2, capacity: 1000 });
      const recs = Array.from({ length: 120 }, (_, i) => log.record(input(i)));
      await log.flush();
      const names = fs.readdirSync(dir).sort();
      assert.deepEqual(names, ['activities.1.jsonl', 'activities.2.jsonl', 'activities.jsonl']);
      for (const n of names) assert.ok(fs.statSync(path.join(dir, n)).size <= 4000, `${n} is ${fs.statSync(path.join(dir, n)).size} bytes`);
      // Oldest to newest across files: .2, .1, current — a contiguous tail of what was recorded.
      const kept = ['activities.2.jsonl', 'activities.1.jsonl', 'activities.jsonl'].flatMap((n) => lines(path.join(dir, n)).map((l) => (JSON.parse(l) as ActivityRecord).id));
      assert.deepEqual(kept, recs.slice(recs.length - kept.length).map((r) => r.id));
      assert.ok(kept.length < 120, `kept ${kept.length}`);
      // Each rotated file was full: the line that started the next file would not have fitted.
      const firstLine = (n: string) => Buffer.byteLength(`${lines(path.join(dir, n))[0]}\n`);
      assert.ok(fs.statSync(path.join(dir, 'activities.2.jsonl')).size + firstLine('activities.1.jsonl') > 4000);
      assert.ok(fs.statSync(path.join(dir, 'activities.1.jsonl')).size + firstLine('activities.jsonl') > 4000);
    });

    it('after a restart, load() keeps the newest capacity records, reading rotated files when needed', async () => {
      const first = make({ dir, maxFileBytes: 6000, maxFiles: 3 });
      const recs = Array.from({ length: 60 }, (_, i) => first.record(input(i)));
      await first.close();
      const inCurrent = lines(file()).length;
      assert.ok(inCurrent < 25, `current file holds ${inCurrent}`);

      const second = make({ dir, capacity: 25 });
      await second.load();
      assert.equal(second.size(), 25);
      assert.deepEqual(second.list({ limit: 100 }).map((r) => r.id), recs.slice(-25).reverse().map((r) => r.id));
      assert.deepEqual(second.get(recs[59].id), JSON.parse(JSON.stringify(recs[59])));

      const next = second.record(input(99));
      assert.ok(next.id > recs[59].id, 'new ids sort after loaded ones');
      assert.equal(second.list({ limit: 1 })[0], next);
    });

    it('skips corrupt lines on load with one warning, and survives a half-written last line', async () => {
      const first = make({ dir });
      const recs = Array.from({ length: 6 }, (_, i) => first.record(input(i)));
      await first.close();
      const good = lines(file());
      fs.writeFileSync(file(), `${good.slice(0, 3).join('\n')}\nnot json\n{"id": 1}\n${good.slice(3).join('\n')}\n{"id":"01J`);

      const logger = new MemoryLogger();
      const second = make({ dir, logger });
      await second.load();
      assert.deepEqual(second.list().map((r) => r.id), recs.map((r) => r.id).reverse());
      assert.deepEqual(logger.lines, [{ level: 'warn', message: `activity log: skipped 3 unreadable lines in ${dir}` }]);

      // The next record starts on a fresh line, so the file stays readable.
      const after = second.record(input(7));
      await second.flush();
      const all = await readActivities(dir, { limit: 100 });
      assert.deepEqual(all.map((r) => r.id), [after.id, ...recs.map((r) => r.id).reverse()]);
    });

    it('readActivities reads while the gateway writes, tolerating a partial last line, with filters', async () => {
      const log = make({ dir, maxFileBytes: 5000, maxFiles: 5 });
      const recs = Array.from({ length: 40 }, (_, i) => log.record(input(i, { reason: i % 4 === 0 ? 'auth-expired' : 'dm-open' })));
      await log.flush();
      fs.appendFileSync(file(), '{"id":"ZZZZ","time":"2025-');

      const newest = await readActivities(dir, { limit: 5 });
      assert.deepEqual(newest.map((r) => r.id), recs.slice(-5).reverse().map((r) => r.id));
      const rejected = await readActivities(dir, { notDelivered: true, limit: 100 });
      assert.deepEqual(rejected.map((r) => r.id), recs.filter((_, i) => i % 4 === 0).reverse().map((r) => r.id));
      const older = await readActivities(dir, { before: recs[10].id, limit: 3 });
      assert.deepEqual(older.map((r) => r.id), [recs[9].id, recs[8].id, recs[7].id]);
      assert.deepEqual(await readActivities(path.join(dir, 'missing'), {}), []);
    });

    it('clear() empties memory and files; records after it are kept', async () => {
      const log = make({ dir, maxFileBytes: 3000 });
      for (let i = 0; i < 40; i++) log.record(input(i));
      let cleared = 0;
      log.on('cleared', () => cleared++);
      // Recorded but not yet written when clear() runs: must not reappear.
      log.record(input(100));
      const clearing = log.clear();
      const after = log.record(input(101));
      await clearing;
      await log.flush();
      assert.equal(cleared, 1);
      assert.equal(log.size(), 1);
      assert.deepEqual(fs.readdirSync(dir), ['activities.jsonl']);
      assert.deepEqual(lines(file()).map((l) => (JSON.parse(l) as ActivityRecord).id), [after.id]);
    });

    it('after close(), records stay in memory only and one warning is logged', async () => {
      const logger = new MemoryLogger();
      const log = make({ dir, logger });
      log.record(input(1));
      await log.close();
      log.record(input(2));
      log.record(input(3));
      await log.flush();
      assert.equal(log.size(), 3);
      assert.equal(lines(file()).length, 1);
      assert.deepEqual(logger.lines.map((l) => l.level), ['warn']);
    });

    it('keeps an activity given with its source JSON as that text when nothing in it needs redacting, and redacts one that does, escapes included', async () => {
      const log = make({ dir });
      const clean = '{"type":"message","text":"hello  there","from":{"id":"29:a"}}';
      const cleanActivity = JSON.parse(clean) as Record<string, unknown>;
      const kept = log.record({ ...input(1), activity: cleanActivity, activityJson: clean });
      // A JWT spelled with a \u escape: the text does not show "eyJ", the parsed activity does.
      const hidden = `{"type":"message","text":"\\u0065${JWT.slice(1)}","from":{"id":"29:b"}}`;
      const hiddenActivity = JSON.parse(hidden) as Record<string, unknown>;
      assert.equal(hiddenActivity.text, JWT);
      const redacted = log.record({ ...input(2), activity: hiddenActivity, activityJson: hidden });
      const pretty = JSON.stringify({ type: 'message', text: 'pretty' }, null, 2);
      log.record({ ...input(3), activity: JSON.parse(pretty) as Record<string, unknown>, activityJson: pretty });
      await log.flush();

      assert.equal(kept.activity, cleanActivity, 'kept as handed over, not copied');
      assert.equal(redacted.activity?.text, '[redacted]');
      assert.ok(!('activityJson' in kept), 'the source text is not a field of the record');
      const raw = fs.readFileSync(file(), 'utf8');
      assert.ok(raw.includes(`"activity":${clean}}`), 'the clean text is written as it came');
      assert.ok(!raw.includes(JWT.slice(1, 40)) && !raw.includes('u0065'), 'no trace of the hidden JWT on disk');
      const onDisk = lines(file()).map((l) => JSON.parse(l) as ActivityRecord);
      assert.equal(onDisk.length, 3, 'a pretty-printed body still makes one line');
      assert.deepEqual(onDisk.map((r) => r.activity?.text), ['hello  there', '[redacted]', 'pretty']);
    });

    it('a disk that is full keeps the records in memory with one warning saying so, and the file is written again once there is room', async function () {
      if (!fs.existsSync('/dev/full')) this.skip(); // Linux's always-full device stands in for a full disk
      const logger = new MemoryLogger();
      const log = make({ dir, logger });
      fs.symlinkSync('/dev/full', file());
      log.record(input(1));
      await log.flush();
      log.record(input(2));
      await log.flush();
      assert.equal(log.size(), 2);
      assert.equal(logger.lines.length, 1, logger.lines.map((l) => l.message).join('\n'));
      assert.match(logger.lines[0].message, /activity log: writing to .* failed \(.*ENOSPC.*\); records stay in memory/);
      fs.unlinkSync(file());
      log.record(input(3));
      await log.flush();
      assert.deepEqual(lines(file()).map((l) => (JSON.parse(l) as ActivityRecord).summary.text), ['hello 3']);
      assert.equal(log.size(), 3);
      assert.equal(logger.lines.length, 1);
    });

    // How long the load takes is a figure of `npm run bench` (section 3, "restart: load()"), not asserted here.
    it('loads the newest 2000 of a 5 MiB file', async function () {
      this.timeout(60_000); // hang guard
      const writer = make({ dir, maxFileBytes: 5 * 1024 * 1024, capacity: 10 });
      let n = 0;
      while (n < 100_000) {
        for (let k = 0; k < 1000; k++) writer.record(input(n++));
        await writer.flush();
        if (fs.statSync(file()).size > 5 * 1024 * 1024 - 600_000) break;
      }
      await writer.close();
      const size = fs.statSync(file()).size;
      const reader = make({ dir });
      await reader.load();
      assert.ok(size > 4 * 1024 * 1024, `the file is ${size} bytes`);
      assert.equal(reader.size(), 2000);
      // The newest 2000, newest first, ending with the last one written.
      assert.equal(reader.list({ limit: 1 })[0].summary.text, `hello ${n - 1}`);
      assert.equal(reader.list({ limit: 2000 })[1999].summary.text, `hello ${n - 2000}`);
    });
  });
});
