// Load generator: its own process (pinned to its own core by bench/main.ts).
// Keep-alive HTTP/1.1 client with a fixed number of in-flight requests, a
// bounded request count, a warm-up that is not measured, and per-request
// latency in microseconds. Input: a JSON spec file (argv[2]); output: one JSON
// line on stdout.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { url, concurrency, warmup, count, headerName } = spec;
const bodies = JSON.parse(readFileSync(spec.bodiesFile, 'utf8')).map((b) => Buffer.from(b));
const warmBodies = spec.warmBodiesFile ? JSON.parse(readFileSync(spec.warmBodiesFile, 'utf8')).map((b) => Buffer.from(b)) : bodies;
const tokens = spec.tokens ?? [];
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });

function once(body, token) {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length };
    if (token) headers.authorization = `Bearer ${token}`;
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        const us = Number(process.hrtime.bigint() - t0) / 1000;
        resolve({ status: res.statusCode, us, tag: headerName ? res.headers[headerName] : undefined });
      });
    });
    req.on('error', (err) => resolve({ status: 0, us: Number(process.hrtime.bigint() - t0) / 1000, error: err.code || err.message }));
    req.end(body);
  });
}

async function phase(n, list, record) {
  let next = 0;
  const lat = new Float64Array(n);
  const statuses = {};
  const tags = {};
  const errors = {};
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const r = await once(list[i % list.length], tokens.length ? tokens[i % tokens.length] : undefined);
      lat[i] = r.us;
      if (!record) continue;
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.tag) tags[r.tag] = (tags[r.tag] ?? 0) + 1;
      if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { lat, wallMs, statuses, tags, errors };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

const warm = warmup > 0 ? await phase(warmup, warmBodies, true) : { statuses: {}, errors: {} };
// Tell the parent the measured phase starts (it samples the servers' CPU time here).
if (spec.sync) {
  process.stdout.write('MEASURE\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
}
const r = await phase(count, bodies, true);
const sorted = Float64Array.from(r.lat).sort();
const ms = (us) => Math.round(us) / 1000;
const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
process.stdout.write(`${JSON.stringify({
  count,
  concurrency,
  wallMs: Math.round(r.wallMs * 10) / 10,
  rps: Math.round((count / r.wallMs) * 1000 * 10) / 10,
  latencyMs: { p50: ms(pct(sorted, 50)), p90: ms(pct(sorted, 90)), p99: ms(pct(sorted, 99)), p999: ms(pct(sorted, 99.9)), max: ms(sorted[sorted.length - 1]), mean: ms(mean) },
  statuses: r.statuses,
  tags: r.tags,
  errors: r.errors,
  warmStatuses: warm.statuses,
  warmErrors: warm.errors,
  ...(spec.raw ? { latUs: Array.from(r.lat, (v) => Math.round(v * 10) / 10) } : {}),
})}\n`);
agent.destroy();
process.stdin.destroy?.();
