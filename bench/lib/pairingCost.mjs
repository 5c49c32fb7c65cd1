// Drop-path breakdown (bench --profile): what one PairingStore.touch() costs
// and where, with the real store bundled from src/core. Env: BUNDLE, DIR.
// Prints one JSON line.
import { createRequire } from 'node:module';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const { PairingStore, writeFileAtomic } = require(process.env.BUNDLE);
const lockfile = require('proper-lockfile');
const dir = process.env.DIR;
const REPS = Number(process.env.REPS ?? 40);

const round = (v, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
async function medianMs(fn, reps = REPS) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return round(times[times.length >> 1]);
}

const meta = (i) => ({
  name: `Stranger ${i}`,
  aadObjectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  conversationId: `a:1stranger-${i}-conversation-id-of-realistic-length`,
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  tenantId: '72f988bf-0000-4000-8000-000000000001',
  botId: '28:bbbbbbbb-1111-2222-3333-444444444444',
  botName: 'Bench Bot',
});

await fsp.mkdir(dir, { recursive: true });
const out = { levels: [] };

// Raw disk costs on the same filesystem.
const probe = path.join(dir, 'probe.bin');
const data = Buffer.alloc(4096, 1);
out.fsyncMs = await medianMs(async () => {
  const h = await fsp.open(probe, 'w');
  await h.writeFile(data);
  await h.sync();
  await h.close();
});

const file = path.join(dir, 'pairing.json');
const store = new PairingStore({ file, ttlMinutes: 60, maxPending: 1000 });
await store.load();
let created = 0;
for (const level of [1, 100, 500, 1000]) {
  const t = performance.now();
  const before = created;
  while (created < level) await store.touch({ id: `29:stranger-${created}`, meta: meta(created++) });
  const growMs = created > before ? (performance.now() - t) / (created - before) : undefined;
  const raw = await fsp.readFile(file, 'utf8');
  const entry = {
    pending: level,
    fileBytes: Buffer.byteLength(raw),
    touchNewMs: growMs === undefined ? undefined : round(growMs),
    touchExistingMs: await medianMs((i) => store.touch({ id: `29:stranger-${i % level}`, meta: meta(i % level) })),
    lockReleaseMs: await medianMs(async () => (await lockfile.lock(file, { realpath: false, stale: 10_000 }))()),
    readParseMs: await medianMs(async () => JSON.parse(await fsp.readFile(file, 'utf8'))),
    atomicWriteMs: await medianMs(() => writeFileAtomic(file, raw)),
    listCloneMs: await medianMs(() => store.list().length, 200),
    getBySenderMs: await medianMs(() => store.getBySender('29:not-there'), 200),
    stringifyMs: await medianMs(() => JSON.stringify(JSON.parse(raw), null, 2), 50),
  };
  out.levels.push(entry);
}
store.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
