/** Renders bench/results/latest.json as the Markdown table printed by `npm run bench`. */

type Any = Record<string, any>;

const MB = (b: number | undefined) => (b === undefined ? 'n/a' : `${(b / 2 ** 20).toFixed(1)} MB`);
const KB = (b: number | undefined) => (b === undefined ? 'n/a' : `${(b / 1024).toFixed(0)} KB`);
const f = (v: number | undefined, d = 2) => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(d));
/** Date.now() differences are whole milliseconds: no decimals to suggest otherwise. */
const wholeMs = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : `${Math.round(v)} ms`);
const ms = (v: number | undefined) => (v === undefined ? 'n/a' : v < 1 ? `${v.toFixed(3)} ms` : `${v.toFixed(2)} ms`);

export interface TargetRow {
  name: string;
  measured: string;
  goal: string;
  met: boolean | undefined;
}

const mark = (met: boolean | undefined) => (met === undefined ? '–' : met ? '✅ met' : '❌ missed');

export function targets(r: Any): TargetRow[] {
  const rows: TargetRow[] = [];
  const fw = r.forward as Any | undefined;
  if (fw?.['a-c1'] && fw['b-c1'] && fw['c-c1']) {
    const bc = fw['b-c1'].latencyMs.p50 / fw['c-c1'].latencyMs.p50;
    rows.push({ name: 'b/c p50 latency, concurrency 1', measured: f(bc), goal: '≤ 1.3', met: bc <= 1.3 });
    const added = fw['b-c1'].latencyMs.p99 - fw['a-c1'].latencyMs.p99;
    rows.push({ name: "b's added p99 over a, concurrency 1", measured: ms(added), goal: '≤ 2 ms', met: added <= 2 });
  }
  if (fw?.['b-c32'] && fw['c-c32']) {
    const share = fw['b-c32'].rps / fw['c-c32'].rps;
    rows.push({ name: 'b throughput as share of c, concurrency 32', measured: `${(share * 100).toFixed(0)} %`, goal: '≥ 70 %', met: share >= 0.7 });
  }
  // Issue 15: the hop's own cost, with a bot that costs nothing behind both.
  if (fw?.['nb-c1'] && fw['nc-c1']) {
    const ratio = fw['nb-c1'].latencyMs.p50 / fw['nc-c1'].latencyMs.p50;
    rows.push({ name: 'null bot, concurrency 1: gateway/proxy p50 latency', measured: f(ratio), goal: '≤ 2.0', met: ratio <= 2.0 });
  }
  if (fw?.['nb-c32'] && fw['nc-c32']) {
    const share = fw['nb-c32'].rps / fw['nc-c32'].rps;
    rows.push({ name: 'null bot, concurrency 32: gateway throughput as share of proxy', measured: `${(share * 100).toFixed(0)} % (${f(fw['nb-c32'].rps, 0)} vs ${f(fw['nc-c32'].rps, 0)} req/s)`, goal: '≥ 50 %', met: share >= 0.5 });
  }
  const drop = r.drop as Any | undefined;
  for (const c of [1, 32]) {
    const d = drop?.[`drop-c${c}`];
    const b = fw?.[`b-c${c}`];
    if (d && b) rows.push({ name: `drop path vs accepted path throughput, concurrency ${c}`, measured: `${f(d.rps, 0)} vs ${f(b.rps, 0)} req/s (${((d.rps / b.rps) * 100).toFixed(0)} %)`, goal: 'drop ≥ accepted', met: d.rps >= b.rps });
  }
  const big = r.records?.['capacity 100000'];
  const ring = r.records?.['default capacity (2000)'];
  if (ring) {
    // The gateway's own configuration: the ring caps memory, whatever the number of records.
    rows.push({ name: '100k records, default ring (2,000): process RSS', measured: MB(ring.after.rss), goal: '≤ 150 MB', met: ring.after.rss <= 150 * 2 ** 20 });
  }
  if (big) {
    rows.push({ name: '100k records, ring raised to 100,000: process RSS', measured: MB(big.after.rss), goal: '≤ 150 MB', met: big.after.rss <= 150 * 2 ** 20 });
    rows.push({ name: '100k records: newest page (100)', measured: ms(big.newestPage.medianMs), goal: '≤ 20 ms', met: big.newestPage.medianMs <= 20 });
    rows.push({ name: '100k records: filter "not delivered"', measured: `${ms(big.notDelivered.medianMs)} (no-match full scan ${ms(big.noMatch.medianMs)})`, goal: '≤ 20 ms', met: Math.max(big.notDelivered.medianMs, big.noMatch.medianMs) <= 20 });
  }
  const pick = r.pickup as Any | undefined;
  if (pick) {
    // README: an approval in a terminal "shows up in the sidebar within a second".
    const worst = Math.max(pick.watch.requested.maxMs, pick.watch.resolved.maxMs);
    rows.push({ name: 'pairing write in another process → event in a watching store (fs.watch), worst of 40', measured: `${ms(worst)} (median ${ms(Math.max(pick.watch.requested.medianMs, pick.watch.resolved.medianMs))})`, goal: '≤ 1000 ms', met: worst <= 1000 });
  }
  const act = r.activation as Any | undefined;
  if (act) {
    rows.push({ name: 'extension activation in a VS Code host', measured: act.status === 'measured' ? ms(act.activationMs) : 'not measured', goal: '≤ 50 ms', met: act.status === 'measured' ? act.activationMs <= 50 : undefined });
  }
  const f5 = r.f5 as Any | undefined;
  if (f5) {
    // Issue 12 asks for the figure, not a bound: no goal.
    rows.push({ name: 'F5 → bot listening under the debugger, tunnel hosted, endpoint checked (stand-in CLIs)', measured: f5.status === 'measured' ? `${wholeMs(f5.warm.botListening)} (first F5 of the window ${wholeMs(f5.cold.botListening)})` : 'not measured', goal: '–', met: undefined });
  }
  const ext = r.startup?.sizes?.['dist/extension.js'];
  if (ext) {
    rows.push({ name: 'dist/extension.js size', measured: ext.bytes === undefined ? 'not built yet' : `${KB(ext.bytes)}${ext.minifiedBytes ? ` (minified ${KB(ext.minifiedBytes)})` : ''}`, goal: '≤ 300 KB', met: ext.bytes === undefined ? undefined : ext.bytes <= 300 * 1024 });
  }
  return rows;
}

function checks(run: Any): string {
  const parts: string[] = [];
  const statuses = Object.entries(run.statuses ?? {}).map(([s, n]) => `${s}×${n}`).join(' ');
  parts.push(`HTTP ${statuses}`);
  const tags = Object.entries(run.tags ?? {}).map(([t, n]) => `${t}×${n}`).join(' ');
  if (tags) parts.push(tags);
  const errors = Object.entries(run.errors ?? {}).map(([t, n]) => `${t}×${n}`).join(' ');
  if (errors) parts.push(`errors ${errors}`);
  const warmBad = Object.entries(run.warmStatuses ?? {}).filter(([s]) => s !== '200').map(([s, n]) => `${s}×${n}`);
  const warmErr = Object.entries(run.warmErrors ?? {}).map(([t, n]) => `${t}×${n}`);
  if (warmBad.length || warmErr.length) parts.push(`warm-up: ${[...warmBad, ...warmErr].join(' ')}`);
  if (run.expectedEchoes !== undefined) parts.push(`echoed ${run.echoes}/${run.expectedEchoes}`);
  if (run.gateway) {
    const reasons = Object.entries(run.gateway.reasons ?? {}).map(([k, n]) => `${k}×${n}`).join(' ');
    parts.push(`on disk ${run.gateway.diskRecords}/${run.expectedRecords} records (${reasons})`);
  }
  return parts.join('; ');
}

const cpu = (run: Any, key: string) => (run.cpuUsPerReq?.[key] === undefined ? '–' : String(run.cpuUsPerReq[key]));

export function renderMarkdown(r: Any): string {
  const m = r.machine as Any;
  const out: string[] = [];
  out.push('# Teams Bot Dev benchmarks', '');
  out.push(`**Machine:** ${m.cpuModel}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, ${m.os} · **code** ${m.git} · **run** ${r.generatedAt} · **wall time** ${r.wallSeconds} s`, '');
  // The load and placement describe the load runs; a run of other sections alone (--only f5, records, …) had none.
  if (r.forward || r.drop) out.push(`**Load:** ${r.options.n} measured requests per path and concurrency after ${r.options.warmup} warm-up requests, in ${r.options.rounds} interleaved rounds (a c b drop, c b drop a, …) so that a busy neighbour hits all paths alike; keep-alive HTTP/1.1 on loopback from a separate load-generator process; ${r.options.tokenPool} RS256 tokens minted up front, used round robin. **Placement:** ${r.placement}.${r.loadAverage ? ` **1-min load average:** ${r.loadAverage.beforeLoadRuns} before, ${r.loadAverage.afterLoadRuns} after the load runs (2 cores; above ~2 means other work shared the machine).` : ''}`, '');

  const rows = targets(r);
  if (rows.length) {
    out.push('## Targets', '', '| target | measured | goal | |', '|---|---|---|---|');
    for (const t of rows) out.push(`| ${t.name} | ${t.measured} | ${t.goal} | ${mark(t.met)} |`);
    out.push('');
  }

  const fw = r.forward as Any | undefined;
  if (fw) {
    out.push('## 1. Forwarding cost', '');
    out.push('Same stream of Teams personal-chat messages (20 allowlisted senders) to a real `@microsoft/teams.apps` echo bot, whose replies go to a local fake Bot Connector (separate process). **a** straight to the bot; **b** through `node dist/cli.js serve` with everything on (appId, RS256 JWT checked against a local JWKS, policy allowlist, activity log to disk, forwarding); **c** through a bare Node `http` reverse proxy with a keep-alive agent. CPU columns: server CPU time during the measured phase, per request.', '');
    out.push('| path | conc | p50 | p90 | p99 | max | req/s | hop CPU µs/req | bot CPU µs/req | connector CPU µs/req | checks |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    const names: Record<string, string> = { a: 'a. bot direct', b: 'b. gateway → bot', c: 'c. bare proxy → bot' };
    for (const c of [1, 32]) {
      for (const t of ['a', 'c', 'b']) {
        const run = fw[`${t}-c${c}`];
        if (!run) continue;
        const l = run.latencyMs;
        out.push(`| ${names[t]} | ${c} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} | ${f(run.rps, 0)} | ${cpu(run, 'hop')} | ${cpu(run, 'bot')} | ${cpu(run, 'connector')} | ${checks(run)} |`);
      }
    }
    out.push('');
    out.push('| ratio (same run) | conc 1 | conc 32 |', '|---|---:|---:|');
    const ratio = (c: number, fn: (a: Any, b: Any, cc: Any) => number, d = 2) => {
      const a = fw[`a-c${c}`];
      const b = fw[`b-c${c}`];
      const cc = fw[`c-c${c}`];
      return a && b && cc ? f(fn(a, b, cc), d) : 'n/a';
    };
    const line = (name: string, fn: (a: Any, b: Any, cc: Any) => number, d = 2) => out.push(`| ${name} | ${ratio(1, fn, d)} | ${ratio(32, fn, d)} |`);
    line('b/a p50 latency', (a, b) => b.latencyMs.p50 / a.latencyMs.p50);
    line('b/a p99 latency', (a, b) => b.latencyMs.p99 / a.latencyMs.p99);
    line('b/c p50 latency', (_a, b, c) => b.latencyMs.p50 / c.latencyMs.p50);
    line('b/c p99 latency', (_a, b, c) => b.latencyMs.p99 / c.latencyMs.p99);
    line('b − a p50 (ms)', (a, b) => b.latencyMs.p50 - a.latencyMs.p50, 3);
    line('b − a p99 (ms)', (a, b) => b.latencyMs.p99 - a.latencyMs.p99, 3);
    line('b/a throughput', (a, b) => b.rps / a.rps);
    line('b/c throughput', (_a, b, c) => b.rps / c.rps);
    line('gateway CPU / proxy CPU per request', (_a, b, c) => b.cpuUsPerReq.hop / c.cpuUsPerReq.hop, 1);
    out.push('');
    if (fw['nb-c1'] || fw['nb-c32'] || fw['nc-c1'] || fw['nc-c32']) {
      out.push('### With a null bot', '');
      out.push('The same stream and tokens, with `bench/lib/nullBot.mjs` (a bare `node:http` server answering `200 {}` at once, pinned like the other servers) in place of the echo bot, so the hop is nearly all that is measured: **nc** the bare proxy → null bot, **nb** the gateway (everything on, as in b) → null bot.', '');
      out.push('| path | conc | p50 | p90 | p99 | max | req/s | hop CPU µs/req | null bot CPU µs/req | checks |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
      const names: Record<string, string> = { nc: 'nc. bare proxy → null bot', nb: 'nb. gateway → null bot' };
      for (const c of [1, 32]) {
        for (const t of ['nc', 'nb']) {
          const run = fw[`${t}-c${c}`];
          if (!run) continue;
          const l = run.latencyMs;
          out.push(`| ${names[t]} | ${c} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} | ${f(run.rps, 0)} | ${cpu(run, 'hop')} | ${cpu(run, 'bot')} | ${checks(run)} |`);
        }
      }
      out.push('');
      const nratio = (c: number, fn: (nb: Any, nc: Any) => number, d = 2) => {
        const nb = fw[`nb-c${c}`];
        const nc = fw[`nc-c${c}`];
        return nb && nc ? f(fn(nb, nc), d) : 'n/a';
      };
      const nline = (name: string, fn: (nb: Any, nc: Any) => number, d = 2) => out.push(`| ${name} | ${nratio(1, fn, d)} | ${nratio(32, fn, d)} |`);
      out.push('| ratio (same run), null bot | conc 1 | conc 32 |', '|---|---:|---:|');
      nline('nb/nc p50 latency', (nb, nc) => nb.latencyMs.p50 / nc.latencyMs.p50);
      nline('nb/nc p99 latency', (nb, nc) => nb.latencyMs.p99 / nc.latencyMs.p99);
      nline('nb − nc p50 (ms)', (nb, nc) => nb.latencyMs.p50 - nc.latencyMs.p50, 3);
      nline('nb/nc throughput', (nb, nc) => nb.rps / nc.rps);
      nline('gateway CPU / proxy CPU per request', (nb, nc) => nb.cpuUsPerReq.hop / nc.cpuUsPerReq.hop, 1);
      out.push('');
    }
    if (r.botLog) out.push(`Echo bot error lines during the load runs: ${r.botLog.errorLines}${r.botLog.errorLines ? ` (first: \`${r.botLog.sample[0]}\`)` : ''}.`, '');
    const b1 = fw['b-c1']?.gateway;
    const b32 = fw['b-c32']?.gateway;
    if (b1 || b32) out.push(`Gateway RSS at the end of the run: ${MB(b1?.rssBytes)} (conc 1), ${MB(b32?.rssBytes)} (conc 32).`, '');
  }

  const drop = r.drop as Any | undefined;
  if (drop) {
    out.push('## 2. Drop path', '');
    out.push(`Unpaired senders (dmPolicy "pairing", maxPending 1000, autoReply on): every 12th message comes from a new sender, the rest repeat earlier ones. Every drop is recorded and every new sender gets a pairing request and one auto-reply through the real Bot Connector client (token from a local https Entra stand-in) to the fake connector. Fresh gateway and fresh senders per concurrency; rounds interleaved with a, b and c above, and each drop round waits until its pairing codes stop arriving (that trailing work is in the CPU column) before the next path runs.`, '');
    out.push('| run | conc | p50 | p99 | max | req/s | accepted (b) req/s, same run | drop/accepted | gateway CPU µs/req | distinct senders → codes sent (pending at end) | checks |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
    for (const c of [1, 32]) {
      const d = drop[`drop-c${c}`];
      if (!d) continue;
      const b = fw?.[`b-c${c}`];
      const l = d.latencyMs;
      const dup = d.pairingCodesSent - d.distinctSenders;
      out.push(`| drop | ${c} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ${f(d.rps, 0)} | ${b ? f(b.rps, 0) : 'n/a'} | ${b ? `${((d.rps / b.rps) * 100).toFixed(0)} %` : 'n/a'} | ${cpu(d, 'hop')} | ${d.distinctSenders} → ${d.pairingCodesSent}${dup > 0 ? ` (**${dup} duplicate codes**)` : ''}; ${d.gateway?.pending ?? 'n/a'} pending | ${checks(d)} |`);
    }
    out.push('');
  }

  const rec = r.records as Any | undefined;
  if (rec) {
    out.push('## 3. Record scale', '');
    out.push('100,000 inbound records (Teams messages of ~1.1 KB JSON, 1 in 20 not delivered) through the real `ActivityLog` (bundled from src/core) in a fresh process, writing JSONL to disk with the default rotation (5 MiB per file, 3 rotated files). Query times are the median of 15 runs.', '');
    const cols = Object.keys(rec);
    out.push(`| | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`);
    const row = (name: string, fn: (x: Any) => string) => out.push(`| ${name} | ${cols.map((c) => fn(rec[c])).join(' | ')} |`);
    row('records kept in memory', (x) => String(x.inMemory));
    row('record() throughput', (x) => `${x.recordsPerSec.toLocaleString('en-US')} /s`);
    row('RSS before → after', (x) => `${MB(x.before.rss)} → ${MB(x.after.rss)}`);
    row('heap used / external after (GC run first)', (x) => `${MB(x.after.heapUsed)} / ${MB(x.after.external)}`);
    row('newest page (100)', (x) => ms(x.newestPage.medianMs));
    row('filter "not delivered", 100 results', (x) => ms(x.notDelivered.medianMs));
    row('filter with no match (full scan)', (x) => ms(x.noMatch.medianMs));
    row('get(id)', (x) => ms(x.getById.medianMs));
    row('files on disk', (x) => x.files.map((fl: Any) => `${fl.name} ${MB(fl.bytes)}`).join(', '));
    row('records retained on disk', (x) => `${x.diskRecords} of ${x.count} (${MB(x.diskBytes)})`);
    row('restart: load() → records in memory', (x) => `${ms(x.restartLoadMs)} → ${x.restartLoaded}`);
    row('CLI newest page read from disk', (x) => ms(x.cliNewestPageMs));
    out.push('');
  }

  const st = r.startup as Any | undefined;
  if (st) {
    out.push('## 4. Start-up and sizes', '');
    out.push('| | measured | target |', '|---|---|---|');
    if (st) {
      out.push(`| spawn \`node dist/cli.js serve\` → first answered request (GET), median of ${st.toListeningMs.runs} | ${ms(st.toListeningMs.median)} (min ${ms(st.toListeningMs.min)}, max ${ms(st.toListeningMs.max)}) | – |`);
      if (st.requireGatewayMs) out.push(`| \`require('dist/gateway.js')\` in a fresh node (what Start Webhook adds to the extension host), median of ${st.requireGatewayMs.runs} | ${ms(st.requireGatewayMs.median)} (min ${ms(st.requireGatewayMs.min)}, max ${ms(st.requireGatewayMs.max)}) | – |`);
      out.push(`| spawn → first activity delivered (POST with JWT: OpenID + JWKS fetch, forward, bot reply) | ${ms(st.toFirstDeliveredMs.median)} (min ${ms(st.toFirstDeliveredMs.min)}, max ${ms(st.toFirstDeliveredMs.max)}) | – |`);
      for (const [name, s] of Object.entries(st.sizes as Any)) {
        if (name === 'vsix') continue;
        const sz = s as Any;
        const v = sz.bytes === undefined ? 'not built yet' : `${KB(sz.bytes)} in dist/ (${sz.build})${sz.minifiedBytes ? `; ${KB(sz.minifiedBytes)} when built minified (\`--production\`)` : ''}`;
        out.push(`| ${name} | ${v} | ${name === 'dist/extension.js' ? '≤ 300 KB' : '–'} |`);
      }
      const vsix = st.sizes.vsix;
      out.push(`| .vsix | ${Array.isArray(vsix) ? vsix.map((v: Any) => `${v.file} ${KB(v.bytes)}`).join(', ') : 'not built yet'} | – |`);
    }
    out.push('');
  }

  const pick = r.pickup as Any | undefined;
  if (pick) {
    out.push('## 5. Cross-process pickup', '');
    out.push(`A second process (as \`teams-bot-dev pairing approve\` in a terminal is) creates and approves pairing requests in the same pairing.json, ${pick.watch.requested.runs} of each; a \`PairingStore\` watching it (as the sidebar and \`serve\` do) emits the event. Time from the writer's call returning to the event; with the directory watcher, and with the mtime poll alone (what is left when fs.watch reports nothing). The tests wait for these events without timing them.`, '');
    out.push('| | new request: median | max | approval: median | max |', '|---|---:|---:|---:|---:|');
    for (const [name, x] of [['fs.watch', pick.watch], ['poll only', pick.poll]] as const) {
      out.push(`| ${name} | ${ms(x.requested.medianMs)} | ${ms(x.requested.maxMs)} | ${ms(x.resolved.medianMs)} | ${ms(x.resolved.maxMs)} |`);
    }
    const red = pick.redaction as Any | undefined;
    if (red) out.push('', `The redactor on the hostile strings of test/core/redact.test.ts (one run each): \`redactString\` of 850 KB ${ms(red.redactStringMs)}, \`redactText\` same ${ms(red.redactTextMs)}, \`redactText\` of 900 KB of \`eyJ\` ${ms(red.redactTextJwtRunMs)}.`);
    out.push('');
  }

  out.push(...vscodeHostSection(r));

  const prof = r.profile as Any | undefined;
  if (prof) {
    out.push('## Profile (--profile)', '');
    out.push('Separate runs (not the ones above) with the gateway under `node --cpu-prof`, frames mapped to their original files through dist/cli.js.map; bot and connector moved to the other core for these runs so the gateway is not preempted. "% of busy" excludes idle; samples before the first request are left out.', '');
    for (const run of Object.values(prof.runs as Any)) {
      const x = run as Any;
      if (x.markdown) out.push(x.markdown, `(${f(x.rps, 0)} req/s under the profiler with the gateway alone on its core; profile kept at ${x.profile}, gitignored)`, '');
    }
    const jc = prof.jwtCost as Any | undefined;
    if (jc) {
      out.push('#### JWT check: ours vs the SDK', '');
      out.push(`Serial, keys cached (the validator fetched the JWKS ${jc.validatorKeyFetches}× in all), mean of ${jc.iterations} checks, OpenSSL ${jc.openssl}.`, '');
      out.push('| step | µs per check |', '|---|---:|');
      out.push(`| \`BotFrameworkAuth.check\` (ours: shape precheck, AsyncLocalStorage, timeout race; then the SDK's ServiceTokenValidator) | ${jc.botFrameworkAuthCheckUs} |`);
      out.push(`| \`jsonwebtoken.verify(token, pem)\`: what the SDK's JwtValidator does (jwks-rsa hands it a PEM string) | ${jc.jsonwebtokenVerifyWithPemUs} |`);
      out.push(`| \`jsonwebtoken.verify(token, keyObject)\`: the same check with the key parsed once | ${jc.jsonwebtokenVerifyWithKeyObjectUs} |`);
      out.push(`| \`crypto.createPublicKey(pem)\`: the PEM parse jsonwebtoken repeats on every verify | ${jc.createPublicKeyFromPemUs} |`);
      out.push('');
    }
    const pc = prof.pairingCost as Any | undefined;
    if (pc) {
      out.push('#### Drop path: one PairingStore.touch() and its parts, by pending-list size', '');
      out.push(`Real store, serial calls, medians. Raw fsync of a 4 KB file on this filesystem: ${ms(pc.fsyncMs)}.`, '');
      out.push('| pending | pairing.json | touch (new sender, mean) | touch (existing sender) | lock+release | read+parse | atomic write (2 fsyncs) | list() clone | getBySender | stringify |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const l of pc.levels as Any[]) {
        out.push(`| ${l.pending} | ${KB(l.fileBytes)} | ${ms(l.touchNewMs)} | ${ms(l.touchExistingMs)} | ${ms(l.lockReleaseMs)} | ${ms(l.readParseMs)} | ${ms(l.atomicWriteMs)} | ${ms(l.listCloneMs)} | ${ms(l.getBySenderMs)} | ${ms(l.stringifyMs)} |`);
      }
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}

/** Section 6: extension activation and F5 time-to-ready, both from the VS Code host this run started (bench/lib/f5.ts). */
function vscodeHostSection(r: Any): string[] {
  const act = r.activation as Any | undefined;
  const f5 = r.f5 as Any | undefined;
  if (!act && !f5) return [];
  const out = ['## 6. In a real VS Code: activation and F5 time-to-ready', ''];
  if (f5?.status === 'measured') {
    out.push(`One ${f5.host} window on the F5 suite's set-up sample workspace, started by this run; ${f5.placement}. F5 is \`workbench.action.debug.start\` (the command the key runs) on the \`teams-bot\` launch, pressed ${f5.runs.length} times; after each, the session is stopped and the bench waits until the webhook, the tunnel and the bot are down. \`devtunnel\` and \`teams\` are the stand-ins (test/fixtures/bin: Node scripts, no network), so the figures are ours, not Microsoft's cloud's; the bot is the real \`@microsoft/teams.apps\` echo bot under VS Code's Node debugger. Each phase is the time from F5 to its end: the extension's own marks (\`F5Timeline\`, also in the Teams Bot log) and the bot's, which writes when its server listens.${f5.loadAverage ? ` **1-min load average:** ${f5.loadAverage.before} before, ${f5.loadAverage.after} after (2 cores; above ~2 means other work shared the machine, and every phase shows it).` : ''}`, '');
  }
  out.push('| | first F5 of the window | later F5s (median) |', '|---|---:|---:|');
  if (act) {
    out.push(`| extension activation (\`activate()\`, same window${act.vscodeVersion ? `, VS Code ${act.vscodeVersion}` : ''}; target ≤ 50 ms) | ${act.status === 'measured' ? ms(act.activationMs) : `not measured: ${String(act.why).split('\n')[0]}`} | – |`);
  }
  if (f5?.status === 'measured') {
    const phases: [string, string][] = [
      ['resolving', 'VS Code hands the launch to the extension'],
      ['webhookReady', 'gateway ready (webhook listening)'],
      ['tunnelHosted', 'tunnel hosted (`devtunnel host` printed its URL)'],
      ['endpointChecked', 'Teams app endpoint checked (`teams app get`; `update` if it moved)'],
      ['handedToDebugger', 'launch handed to the Node debugger'],
      ['sessionStarted', 'debug session started'],
      ['botListening', '**bot listening under the debugger: ready**'],
    ];
    for (const [key, name] of phases) out.push(`| F5 → ${name} | ${wholeMs(f5.cold[key])} | ${wholeMs(f5.warm[key])} |`);
    out.push('', `Later F5s: ${f5.warmRuns} runs, ready in ${wholeMs(f5.warmReadyMinMs)} to ${wholeMs(f5.warmReadyMaxMs)}. The first F5 also loads dist/gateway.js and activates VS Code's Node debugger${f5.coldEndpointUpdated ? ", and updated the Teams app's endpoint (the sample app pointed at an old tunnel URL); the later ones found it right" : ''}.`);
  } else if (f5) {
    out.push(`| F5 → bot listening under the debugger | not measured: ${String(f5.why).split('\n')[0]} | – |`);
  }
  out.push('');
  return out;
}
