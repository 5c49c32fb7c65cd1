// The "other process" of bench/lib/pickupLag.mjs (a CLI or a second VS Code
// window): its own PairingStore on the same pairing.json. Reads one JSON command
// per stdin line ({ op: "touch", id } or { op: "resolve", code }), runs it, and
// prints { doneAt, code? } with doneAt taken the moment the call returned, as
// wall-clock milliseconds comparable across processes. Env: BUNDLE, FILE.
import { createRequire } from 'node:module';
import * as readline from 'node:readline';

const require = createRequire(import.meta.url);
const { PairingStore } = require(process.env.BUNDLE);
const store = new PairingStore({ file: process.env.FILE, ttlMinutes: 60, maxPending: 1000 });
await store.load();
const now = () => performance.timeOrigin + performance.now();

for await (const line of readline.createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  if (cmd.op === 'touch') {
    const r = await store.touch({ id: cmd.id, meta: { name: cmd.id } });
    const doneAt = now();
    process.stdout.write(`${JSON.stringify({ doneAt, code: r.request?.code })}\n`);
  } else if (cmd.op === 'resolve') {
    await store.resolve(cmd.code, 'approved');
    const doneAt = now();
    process.stdout.write(`${JSON.stringify({ doneAt })}\n`);
  }
}
store.close();
