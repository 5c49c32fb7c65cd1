// Record scale: COUNT activity records through the real ActivityLog (bundled
// from src/core by bench/main.ts into BUNDLE) in a fresh process, so RSS is
// this log's alone. Run with --expose-gc. Env: BUNDLE, DIR, COUNT, CAPACITY
// (empty = the default), RUNS. Prints one JSON line.
import { createRequire } from 'node:module';
import { promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const { ActivityLog, summarize, readActivities } = require(process.env.BUNDLE);
const dir = process.env.DIR;
const count = Number(process.env.COUNT ?? 100_000);
const capacity = process.env.CAPACITY ? Number(process.env.CAPACITY) : undefined;
const runs = Number(process.env.RUNS ?? 15);
/** BODIES=0 records without the activity body (the split between bodies and the rest of a record). */
const withBodies = process.env.BODIES !== '0';
/** One record in this many is not delivered (dropped by the policy). */
const NOT_DELIVERED_EVERY = 20;

const gc = () => { global.gc?.(); global.gc?.(); };
const mem = () => { const m = process.memoryUsage(); return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers }; };
const timeMs = (fn) => { const t = performance.now(); const r = fn(); return { ms: performance.now() - t, r }; };
const medianOf = (fn) => {
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) { const { ms, r } = timeMs(fn); times.push(ms); result = r; }
  times.sort((a, b) => a - b);
  return { medianMs: round(times[times.length >> 1], 4), maxMs: round(times[times.length - 1], 4), results: Array.isArray(result) ? result.length : result };
};
const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

// One template per sender, parsed fresh per record: the gateway stores the object JSON.parse made from each body.
const template = JSON.parse(readFileSync(process.env.TEMPLATE, 'utf8'));
const senders = 50;

gc();
const before = mem();
const log = new ActivityLog({ dir, capacity });
await log.load();

const t0 = performance.now();
for (let i = 0; i < count; i++) {
  const activity = JSON.parse(template);
  activity.id = `1700000000${i}`;
  activity.timestamp = new Date(Date.UTC(2026, 0, 1) + i * 100).toISOString();
  activity.text = `${activity.text} #${i}`;
  activity.from.id = `${activity.from.id}-${i % senders}`;
  const dropped = i % NOT_DELIVERED_EVERY === NOT_DELIVERED_EVERY - 1;
  log.record({
    direction: 'inbound',
    source: 'tunnel',
    status: 200,
    latencyMs: 1.5,
    auth: 'jwt-valid',
    fate: dropped ? 'dropped' : 'delivered',
    reason: dropped ? 'dm-pairing-pending' : 'dm-allowlisted',
    detail: dropped
      ? `personal chat from ${activity.from.name} (${activity.from.id}), who is not in allowFrom: waiting for the pairing code to be approved (code ABCD2345)`
      : `personal chat from ${activity.from.name} (${activity.from.id}), who is in allowFrom`,
    summary: summarize(activity),
    activity: withBodies ? activity : undefined,
    ...(dropped ? { pairingCode: 'ABCD2345' } : { botResponse: { status: 200, body: undefined } }),
  });
  // Let the writer catch up now and then, as it does between requests at real rates
  // (without this the queue of pending lines, not the log, would dominate RSS).
  if (i % 1000 === 999) await log.flush();
}
const recordMs = performance.now() - t0;
const t1 = performance.now();
await log.flush();
const flushMs = performance.now() - t1;
gc();
const after = mem();

const newestPage = medianOf(() => log.list({ limit: 100 }));
const notDelivered = medianOf(() => log.list({ limit: 100, notDelivered: true }));
const noMatch = medianOf(() => log.list({ limit: 100, notDelivered: true, senderId: 'nobody' }));
const getById = medianOf(() => log.get(log.list({ limit: 1 })[0].id) ? 1 : 0);

const files = [];
for (const name of (await fsp.readdir(dir)).sort()) {
  if (!/^activities(\.\d+)?\.jsonl$/.test(name)) continue;
  const buf = await fsp.readFile(path.join(dir, name));
  let lines = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) lines++;
  files.push({ name, bytes: buf.length, records: lines });
}

// What the CLI (`activities`) and a restart see.
const t2 = performance.now();
const cliPage = await readActivities(dir, { limit: 100 });
const cliMs = performance.now() - t2;
await log.close();
const reloaded = new ActivityLog({ dir, capacity });
const t3 = performance.now();
await reloaded.load();
const loadMs = performance.now() - t3;

process.stdout.write(`${JSON.stringify({
  count,
  capacity: capacity ?? 'default',
  bodies: withBodies,
  activityJsonBytes: Buffer.byteLength(JSON.stringify(JSON.parse(template))),
  inMemory: log.size(),
  recordMs: round(recordMs),
  recordsPerSec: Math.round(count / (recordMs / 1000)),
  flushMs: round(flushMs),
  before,
  after,
  newestPage,
  notDelivered,
  noMatch,
  getById,
  files,
  diskBytes: files.reduce((a, f) => a + f.bytes, 0),
  diskRecords: files.reduce((a, f) => a + f.records, 0),
  cliNewestPageMs: round(cliMs),
  cliNewestPageRecords: cliPage.length,
  restartLoadMs: round(loadMs),
  restartLoaded: reloaded.size(),
})}\n`);
