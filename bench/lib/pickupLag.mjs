// Cross-process pickup: how long after another process's pairing write returns
// a watching PairingStore (the sidebar, a running `serve`) emits the event.
// README: "`teams-bot-dev pairing approve` in a terminal shows up in the sidebar
// within a second". The tests wait for these events without timing them; the
// figure lives here. Measured with the directory watcher (fs.watch) and with the
// mtime poll alone (network drives, some containers), RUNS times each for a new
// request and for its approval. Also: the redactor on hostile strings (the
// inputs of test/core/redact.test.ts). Env: BUNDLE, DIR, RUNS. Prints one JSON line.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

const require = createRequire(import.meta.url);
const { PairingStore, redactString, redactText } = require(process.env.BUNDLE);
const runs = Number(process.env.RUNS ?? 20);
const now = () => performance.timeOrigin + performance.now();
const round = (v, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { medianMs: round(s[s.length >> 1]), maxMs: round(s[s.length - 1]), runs: s.length };
};

async function measure(mode) {
  const dir = path.join(process.env.DIR, `pickup-${mode}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'pairing.json');
  const watcher = new PairingStore({ file, ttlMinutes: 60, maxPending: 1000 });
  await watcher.load();
  watcher.watch();
  if (mode === 'poll') watcher.watcher?.close(); // what the store falls back to when fs.watch reports nothing

  const writer = spawn(process.execPath, [path.join(import.meta.dirname, 'pairingWriter.mjs')], {
    env: { ...process.env, FILE: file },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const replies = readline.createInterface({ input: writer.stdout })[Symbol.asyncIterator]();
  const ask = async (cmd) => {
    writer.stdin.write(`${JSON.stringify(cmd)}\n`);
    const { value, done } = await replies.next();
    if (done) throw new Error('the writer process exited');
    return JSON.parse(value);
  };
  const seen = (event, pred) => new Promise((resolve) => {
    const off = watcher.on(event, (payload) => { if (pred(payload)) { off(); resolve(now()); } });
  });

  const requested = [];
  const resolved = [];
  for (let i = 0; i < runs; i++) {
    const id = `29:pickup-${mode}-${i}`;
    const gotRequest = seen('requested', (r) => r.id === id);
    const { doneAt: touchedAt, code } = await ask({ op: 'touch', id });
    requested.push(Math.max(0, (await gotRequest) - touchedAt));
    const gotResolve = seen('resolved', (r) => r.request.id === id);
    const { doneAt: resolvedAt } = await ask({ op: 'resolve', code });
    resolved.push(Math.max(0, (await gotResolve) - resolvedAt));
  }
  writer.stdin.end();
  await new Promise((r) => writer.once('exit', r));
  watcher.close();
  return { requested: stats(requested), resolved: stats(resolved) };
}

const timeOnce = (fn) => { const t = performance.now(); fn(); return round(performance.now() - t); };
const hostile = `${'a.'.repeat(200_000)}eyJ${'x'.repeat(200_000)} ${'token'.repeat(50_000)}=`;
const redaction = {
  redactStringMs: timeOnce(() => redactString(hostile)),
  redactTextMs: timeOnce(() => redactText(hostile)),
  redactTextJwtRunMs: timeOnce(() => redactText('eyJ'.repeat(300_000))),
};

const out = { watch: await measure('watch'), poll: await measure('poll'), redaction };
process.stdout.write(`${JSON.stringify(out)}\n`);
