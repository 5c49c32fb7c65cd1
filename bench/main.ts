/**
 * `npm run bench`: what the gateway and the extension cost, side by side with
 * the alternatives, in one run. See bench/README.md for what is measured and
 * how the processes are placed on the two cores.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { startBotFrameworkStub, type BotFrameworkStub } from '../test/support/botFrameworkStub';
import { startFakeEntra, makeCertificates, type FakeEntra } from '../test/core/connector/fakeEntra';
import { spawnProc, firstLine, waitForHttp, freePort, cpuMs, rssBytes, httpRequest, sleep, median, canPin, type Proc } from './lib/procs';
import { APP_ID, makeSender, prng, fixedSenderStream, unpairedStream } from './lib/stream';
import { summarizeProfile, profileMarkdown, type ProfileSummary } from './lib/cpuprofile';
import { measureF5 } from './lib/f5';
import { renderMarkdown } from './lib/report';

const REPO = path.resolve(__dirname, '..');
/**
 * dist/ as it was when the run started. Others rebuild dist/ while a run is
 * going (a --production build drops the source maps the profile needs), so
 * the bench runs its own copy, inside the repo so node_modules still resolve.
 */
let DIST = path.join(REPO, 'dist');
const APP_PASSWORD = 'bench-app-password-not-a-secret';
/** Servers (bot, connector, gateway or proxy) share this core; the load generator and this orchestrator get the other. */
const SERVER_CPUS = '0';
const CLIENT_CPUS = '1';

export interface Options {
  n: number;
  warmup: number;
  startupRuns: number;
  /** F5 presses in one VS Code window for F5 time-to-ready (the first is reported apart, as cold). */
  f5Runs: number;
  profile: boolean;
  pin: boolean;
  only: Set<string>;
  out: string;
  tokens: number;
  rounds: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  };
  const quick = argv.includes('--quick');
  const only = get('only');
  return {
    n: Number(get('n') ?? (quick ? 1000 : 5000)),
    warmup: Number(get('warmup') ?? (quick ? 200 : 1000)),
    startupRuns: Number(get('startup-runs') ?? (quick ? 3 : 10)),
    f5Runs: Math.max(2, Number(get('f5-runs') ?? (quick ? 3 : 8))),
    profile: argv.includes('--profile'),
    pin: !argv.includes('--no-pin'),
    only: new Set((only ?? 'forward,drop,records,startup,pickup,f5').split(',')),
    out: path.resolve(REPO, get('out') ?? 'bench/results'),
    tokens: Number(get('tokens') ?? 64),
    rounds: Number(get('rounds') ?? (quick ? 2 : 5)),
    keep: argv.includes('--keep'),
  };
}

export interface LoadResult {
  count: number;
  concurrency: number;
  wallMs: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  statuses: Record<string, number>;
  tags: Record<string, number>;
  errors: Record<string, number>;
  /** Answers to the unmeasured warm-up requests, so a failure there is not hidden. */
  warmStatuses?: Record<string, number>;
  warmErrors?: Record<string, number>;
  /** Server-side CPU time during the measured phase, µs per request. */
  cpuUsPerReq: Record<string, number | undefined>;
}

interface Infra {
  work: string;
  opts: Options;
  connector: Proc;
  serviceUrl: string;
  bot: Proc;
  botUrl: string;
  /** The null bot (bench/lib/nullBot.mjs): answers 200 {} at once, so only the hop is measured. */
  nullBot: Proc;
  nullBotUrl: string;
  stub: BotFrameworkStub;
  entra: FakeEntra;
  caFile: string;
  tokens: string[];
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

export async function main(argv: string[]): Promise<void> {
  const opts = parseArgs(argv);
  const t0 = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tbd-bench-'));
  const pin = opts.pin && canPin() && os.cpus().length >= 2;
  if (!pin) opts.pin = false;
  if (pin) execFileSync('taskset', ['-pc', CLIENT_CPUS, String(process.pid)], { stdio: 'ignore' });
  fs.mkdirSync(opts.out, { recursive: true });
  const snapshot = path.join(__dirname, `.tmp-dist-${process.pid}`);
  fs.mkdirSync(snapshot, { recursive: true });
  for (const f of fs.readdirSync(DIST)) if (/\.js(\.map)?$/.test(f)) fs.copyFileSync(path.join(DIST, f), path.join(snapshot, f));
  DIST = snapshot;

  const results: Record<string, any> = {
    generatedAt: new Date().toISOString(),
    machine: machineInfo(),
    options: { n: opts.n, warmup: opts.warmup, rounds: opts.rounds, startupRuns: opts.startupRuns, f5Runs: opts.f5Runs, profile: opts.profile, tokenPool: opts.tokens },
    placement: pin
      ? `servers (echo bot, fake connector, gateway or proxy) pinned to CPU ${SERVER_CPUS}; load generator and orchestrator (JWKS stub, fake Entra) pinned to CPU ${CLIENT_CPUS}`
      : 'not pinned (taskset unavailable or --no-pin): all processes share both cores',
  };

  const procs: Proc[] = [];
  const cleanup = async () => {
    for (const p of procs.reverse()) await p.stop('SIGTERM', 3000).catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    log(`building the ActivityLog/PairingStore bundle and starting the shared servers in ${work}`);
    const coreBundle = await bundleCore(work);
    const infra = await startInfra(work, opts, procs);

    if (opts.only.has('forward') || opts.only.has('drop') || opts.only.has('null')) {
      const loadAvg = os.loadavg()[0];
      Object.assign(results, await underLoad(infra));
      results.botLog = botLogErrors(path.join(work, 'bot.log'));
      results.loadAverage = { beforeLoadRuns: round2(loadAvg), afterLoadRuns: round2(os.loadavg()[0]) };
    }
    if (opts.only.has('records')) {
      results.records = await recordScale(work, coreBundle, opts);
    }
    if (opts.only.has('startup')) {
      results.startup = await startup(infra);
    }
    if (opts.only.has('pickup')) {
      results.pickup = await pickup(work, coreBundle, opts);
    }
    if (opts.only.has('f5')) {
      // VS Code gets every core, as on a developer's machine: what it spawns inherits this process's affinity.
      if (pin) execFileSync('taskset', ['-pc', `0-${os.cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
      try {
        Object.assign(results, await measureF5({ dist: DIST, work, runs: opts.f5Runs, log }));
      } finally {
        if (pin) execFileSync('taskset', ['-pc', CLIENT_CPUS, String(process.pid)], { stdio: 'ignore' });
      }
    }
    if (opts.profile) {
      results.profile = await profileRuns(infra, coreBundle, {
        accepted: results.forward?.['nb-c32']?.cpuUsPerReq?.hop,
        drop: results.drop?.['drop-c32']?.cpuUsPerReq?.hop,
      });
    }
  } finally {
    await cleanup();
    if (!opts.keep) fs.rmSync(snapshot, { recursive: true, force: true });
  }

  results.wallSeconds = Math.round((Date.now() - t0) / 100) / 10;
  const md = renderMarkdown(results);
  fs.writeFileSync(path.join(opts.out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(opts.out, 'latest.md'), md);
  process.stdout.write(md);
  log(`wrote ${path.relative(REPO, path.join(opts.out, 'latest.md'))} and latest.json in ${results.wallSeconds} s`);
  if (opts.keep) log(`kept the work directory ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}

/** Error lines the echo bot logged (its log level is "error"): a failed reply to the connector shows up here. */
function botLogErrors(file: string): { errorLines: number; sample: string[] } {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => /error/i.test(l)) : [];
  return { errorLines: lines.length, sample: lines.slice(0, 3).map((l) => l.slice(0, 300)) };
}

function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  let kernel = os.release();
  try {
    kernel = execFileSync('uname', ['-sr']).toString().trim();
  } catch {
    /* keep os.release() */
  }
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: kernel,
    git: gitState(),
  };
}

/** The commit measured, and whether src/ had uncommitted changes when it was built. */
function gitState(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO }).toString().trim().split('\n').filter(Boolean).length;
    return dirty ? `${head} + ${dirty} uncommitted change${dirty === 1 ? '' : 's'} in src/` : head;
  } catch {
    return 'unknown';
  }
}

// ---- shared servers ------------------------------------------------------------

async function startInfra(work: string, opts: Options, procs: Proc[]): Promise<Infra> {
  const certs = benchCertificates(path.join(work, 'certs'));
  const entra = await startFakeEntra({ cert: certs.cert, key: certs.key, clientId: APP_ID, clientSecret: APP_PASSWORD });

  const connector = spawnProc('fake connector', process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'lib/connectorProc.ts')], {
    cpus: opts.pin ? SERVER_CPUS : undefined, output: 'pipe', ipc: true, cwd: REPO,
  });
  procs.push(connector);
  const { serviceUrl } = JSON.parse(await firstLine(connector)) as { serviceUrl: string };

  const stub = await startBotFrameworkStub({ appId: APP_ID, serviceUrl });
  const tokens = await Promise.all(Array.from({ length: opts.tokens }, () => stub.mint()));

  const botPort = await freePort();
  const bot = spawnProc('echo bot', process.execPath, [path.join(REPO, 'test/fixtures/sampleBot/echoBot.js')], {
    cpus: opts.pin ? SERVER_CPUS : undefined, env: { PORT: String(botPort), ECHO_BOT_LOG_LEVEL: 'error' }, output: path.join(work, 'bot.log'), cwd: REPO,
  });
  procs.push(bot);
  const botUrl = `http://127.0.0.1:${botPort}/api/messages`;
  await waitForHttp(botUrl, 30_000, 20, bot);

  const nullPort = await freePort();
  const nullBot = spawnProc('null bot', process.execPath, [path.join(__dirname, 'lib/nullBot.mjs')], {
    cpus: opts.pin ? SERVER_CPUS : undefined, env: { PORT: String(nullPort) }, output: 'ignore', cwd: REPO,
  });
  procs.push(nullBot);
  const nullBotUrl = `http://127.0.0.1:${nullPort}/api/messages`;
  await waitForHttp(nullBotUrl, 10_000, 10, nullBot);
  return { work, opts, connector, serviceUrl, bot, botUrl, nullBot, nullBotUrl, stub, entra, caFile: certs.caFile, tokens };
}

/** The test suites' throwaway CA and 127.0.0.1 leaf (fakeEntra.ts), read back for the https stand-ins. */
function benchCertificates(dir: string): { cert: string; key: string; caFile: string } {
  fs.mkdirSync(dir, { recursive: true });
  makeCertificates(dir);
  return { cert: fs.readFileSync(path.join(dir, 'leaf.crt'), 'utf8'), key: fs.readFileSync(path.join(dir, 'leaf.key'), 'utf8'), caFile: path.join(dir, 'ca.crt') };
}

function connectorCounts(connector: Proc): Promise<{ requests: number; echoes: number; pairingCodes: number }> {
  return new Promise((resolve) => {
    connector.child.once('message', (m) => resolve(m as { requests: number; echoes: number; pairingCodes: number }));
    connector.child.send({ cmd: 'count' });
  });
}

// ---- the gateway under test ------------------------------------------------------

interface RunningGateway {
  proc: Proc;
  url: string;
  dir: string;
  stateDir: string;
  configFile: string;
}

const ALLOWED = (() => {
  const rand = prng(7);
  return Array.from({ length: 20 }, (_, i) => makeSender('u', i, rand));
})();

/** Everything on: appId (JWT against the local JWKS), policy with an allowlist, pairing with auto-reply, recording, forwarding. */
function gatewayConfig(infra: Infra, port: number): Record<string, unknown> {
  return {
    appId: APP_ID,
    cloudOverrides: { ...infra.stub.cloudOverrides, loginEndpoint: infra.entra.authorityHost },
    serviceUrl: infra.serviceUrl,
    webhook: { port },
    dmPolicy: 'pairing',
    allowFrom: ALLOWED.map((s) => s.aadObjectId),
    pairing: { autoReply: true, maxPending: 1000 },
  };
}

async function startGateway(infra: Infra, tag: string, cpuProfileDir?: string, botUrl = infra.botUrl): Promise<RunningGateway> {
  const dir = path.join(infra.work, `gw-${tag}`);
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const configFile = path.join(dir, 'teams-bot.config.json');
  fs.writeFileSync(configFile, `${JSON.stringify(gatewayConfig(infra, port), null, 2)}\n`);
  const stateDir = path.join(dir, '.teams-bot');
  const args = [
    ...(cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : []),
    path.join(DIST, 'cli.js'), 'serve', '--config', configFile, '--state-dir', stateDir, '--port', String(port), '--bot-url', botUrl,
  ];
  const proc = spawnProc(`gateway ${tag}`, process.execPath, args, {
    cpus: infra.opts.pin ? SERVER_CPUS : undefined,
    // The CLI logs a line per activity: to a file, as a terminal would show it, without a reader in the loop.
    output: path.join(dir, 'serve.log'),
    env: { MSTEAMS_APP_PASSWORD: APP_PASSWORD, NODE_EXTRA_CA_CERTS: infra.caFile, NO_PROXY: '127.0.0.1,localhost' },
    cwd: dir,
  });
  const url = `http://127.0.0.1:${port}/api/messages`;
  await waitForHttp(url, 30_000, 10, proc);
  return { proc, url, dir, stateDir, configFile };
}

/** Stops the gateway (the CLI flushes the log on SIGTERM) and counts what it recorded on disk. */
async function stopGateway(gw: RunningGateway): Promise<{ rssBytes?: number; diskRecords: number; reasons: Record<string, number>; files: { name: string; bytes: number }[]; pending?: number }> {
  const rss = rssBytes(gw.proc.pid);
  await gw.proc.stop('SIGTERM', 15_000);
  const files: { name: string; bytes: number }[] = [];
  let diskRecords = 0;
  const reasons: Record<string, number> = {};
  for (const name of fs.existsSync(gw.stateDir) ? fs.readdirSync(gw.stateDir).sort() : []) {
    if (!/^activities(\.\d+)?\.jsonl$/.test(name)) continue;
    const text = fs.readFileSync(path.join(gw.stateDir, name), 'utf8');
    files.push({ name, bytes: Buffer.byteLength(text) });
    for (const line of text.split('\n')) {
      if (!line) continue;
      diskRecords++;
      try {
        const rec = JSON.parse(line) as { direction?: string; fate?: string; reason?: string };
        const key = `${rec.direction}/${rec.fate}/${rec.reason}`;
        reasons[key] = (reasons[key] ?? 0) + 1;
      } catch {
        reasons.unreadable = (reasons.unreadable ?? 0) + 1;
      }
    }
  }
  let pending: number | undefined;
  try {
    pending = (JSON.parse(fs.readFileSync(path.join(gw.stateDir, 'pairing.json'), 'utf8')) as { requests: unknown[] }).requests.length;
  } catch {
    pending = undefined;
  }
  return { rssBytes: rss, diskRecords, reasons, files, pending };
}

// ---- load --------------------------------------------------------------------------

interface LoadSpec {
  url: string;
  concurrency: number;
  bodies: string[];
  /** Sent first and not measured. */
  warmBodies: string[];
  tag: string;
  /** Runs after the measured phase and before the servers' CPU time is read (work the requests left behind). */
  settle?: () => Promise<void>;
}

interface RawLoad extends LoadResult {
  latUs: number[];
  cpuMs: Record<string, number | undefined>;
}

async function runLoad(infra: Infra, spec: LoadSpec, servers: Record<string, Proc>): Promise<RawLoad> {
  const file = (name: string, data: unknown) => {
    const p = path.join(infra.work, name);
    fs.writeFileSync(p, JSON.stringify(data));
    return p;
  };
  const specFile = file(`spec-${spec.tag}.json`, {
    url: spec.url,
    concurrency: spec.concurrency,
    warmup: spec.warmBodies.length,
    count: spec.bodies.length,
    bodiesFile: file(`bodies-${spec.tag}.json`, spec.bodies),
    warmBodiesFile: file(`warm-${spec.tag}.json`, spec.warmBodies.length ? spec.warmBodies : spec.bodies),
    tokens: infra.tokens,
    headerName: 'x-teams-bot-dev-reason',
    sync: true,
    raw: true,
  });
  const gen = spawnProc(`load ${spec.tag}`, process.execPath, [path.join(__dirname, 'lib/loadgen.mjs'), specFile], { cpus: infra.opts.pin ? CLIENT_CPUS : undefined, output: 'pipe' });
  let buf = '';
  const lines: string[] = [];
  let onLine: (() => void) | undefined;
  gen.child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      onLine?.();
    }
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (lines.length) {
          onLine = undefined;
          resolve(lines.shift()!);
        }
      };
      onLine = check;
      check();
      void gen.exited.then((code) => {
        if (!lines.length) reject(new Error(`load generator ${spec.tag} exited (${code}) early`));
      });
    });
  const first = await nextLine();
  if (first !== 'MEASURE') throw new Error(`load generator said ${first}`);
  const cpu0 = Object.fromEntries(Object.entries(servers).map(([k, p]) => [k, cpuMs(p.pid)]));
  gen.child.stdin!.write('go\n');
  const result = JSON.parse(await nextLine()) as RawLoad;
  await gen.exited;
  if (spec.settle) await spec.settle();
  result.cpuMs = {};
  result.cpuUsPerReq = {};
  for (const k of Object.keys(servers)) {
    const a = cpu0[k];
    const b = cpuMs(servers[k].pid);
    result.cpuMs[k] = a === undefined || b === undefined ? undefined : b - a;
    result.cpuUsPerReq[k] = a === undefined || b === undefined ? undefined : Math.round(((b - a) * 1000) / result.count);
  }
  return result;
}

/** Several rounds of one target merged into one result: percentiles over all measured requests. */
function merge(parts: RawLoad[]): LoadResult {
  const lat = Float64Array.from(parts.flatMap((p) => p.latUs)).sort();
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.max(0, Math.ceil((p / 100) * lat.length) - 1))] / 1000;
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  const count = lat.length;
  const wallMs = parts.reduce((a, p) => a + p.wallMs, 0);
  const sum = (key: 'statuses' | 'tags' | 'errors' | 'warmStatuses' | 'warmErrors') => {
    const out: Record<string, number> = {};
    for (const p of parts) for (const [k, v] of Object.entries(p[key] ?? {})) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const cpuUsPerReq: Record<string, number | undefined> = {};
  for (const k of Object.keys(parts[0].cpuMs)) {
    const values = parts.map((p) => p.cpuMs[k]);
    cpuUsPerReq[k] = values.some((v) => v === undefined) ? undefined : Math.round((values.reduce((a, v) => a! + v!, 0)! * 1000) / count);
  }
  return {
    count,
    concurrency: parts[0].concurrency,
    wallMs: Math.round(wallMs),
    rps: Math.round((count / wallMs) * 1000 * 10) / 10,
    latencyMs: { p50: r3(pct(50)), p90: r3(pct(90)), p99: r3(pct(99)), p999: r3(pct(99.9)), max: r3(lat[lat.length - 1] / 1000), mean: r3(lat.reduce((a, v) => a + v, 0) / count / 1000) },
    statuses: sum('statuses'),
    tags: sum('tags'),
    errors: sum('errors'),
    warmStatuses: sum('warmStatuses'),
    warmErrors: sum('warmErrors'),
    cpuUsPerReq,
  };
}

// ---- 1 + 2. forwarding cost and drop path, interleaved -------------------------------------------------

/** One new sender in this many messages; the rest repeat earlier senders. */
const NEW_SENDER_EVERY = 12;
/** nc and nb: the bare proxy and the gateway in front of the null bot instead of the SDK echo bot. */
const TARGETS = ['a', 'c', 'b', 'drop', 'nc', 'nb'] as const;
type Target = (typeof TARGETS)[number];
const NULL_TARGETS: readonly Target[] = ['nc', 'nb'];

/**
 * For each concurrency: the bot alone (a), the bare proxy (c), the gateway
 * with an allowlisted stream (b) and a second gateway with an unpaired stream
 * (drop) are measured in interleaved rounds (a c b drop, c b drop a, …), so a
 * busy neighbour on a shared machine slows all four alike and the ratios come
 * from the same minutes.
 */
async function underLoad(infra: Infra): Promise<{ forward: Record<string, any>; drop?: Record<string, any> }> {
  const { opts } = infra;
  // --only null runs the null-bot pair alone (for trying a change); forward runs everything but the drop path.
  const targets = TARGETS.filter((t) => {
    if (t === 'drop') return opts.only.has('drop');
    if (NULL_TARGETS.includes(t)) return opts.only.has('forward') || opts.only.has('null');
    return opts.only.has('forward') || (t === 'b' && opts.only.has('drop'));
  });
  const accepted = fixedSenderStream(opts.n, ALLOWED, infra.serviceUrl, 1);
  const acceptedWarm = fixedSenderStream(opts.warmup, ALLOWED, infra.serviceUrl, 2);
  const proxyPort = await freePort();
  const proxy = spawnProc('proxy', process.execPath, [path.join(__dirname, 'lib/proxy.mjs')], {
    cpus: opts.pin ? SERVER_CPUS : undefined, env: { PORT: String(proxyPort), TARGET: new URL(infra.botUrl).origin }, output: 'ignore',
  });
  const proxyUrl = `http://127.0.0.1:${proxyPort}/api/messages`;
  await waitForHttp(proxyUrl, 10_000, 10, proxy);
  // A second bare proxy, in front of the null bot.
  const nullProxyPort = await freePort();
  const nullProxy = spawnProc('proxy (null bot)', process.execPath, [path.join(__dirname, 'lib/proxy.mjs')], {
    cpus: opts.pin ? SERVER_CPUS : undefined, env: { PORT: String(nullProxyPort), TARGET: new URL(infra.nullBotUrl).origin }, output: 'ignore',
  });
  const nullProxyUrl = `http://127.0.0.1:${nullProxyPort}/api/messages`;
  await waitForHttp(nullProxyUrl, 10_000, 10, nullProxy);

  const forward: Record<string, any> = {};
  const drop: Record<string, any> = {};
  try {
    for (const c of [1, 32]) {
      const dropStream = unpairedStream(opts.n, `s${c}x`, NEW_SENDER_EVERY, infra.serviceUrl, 10 + c);
      const dropWarm = unpairedStream(opts.warmup, `w${c}x`, NEW_SENDER_EVERY, infra.serviceUrl, 20 + c);
      const gwB = targets.includes('b') ? await startGateway(infra, `b-c${c}`) : undefined;
      const gwD = targets.includes('drop') ? await startGateway(infra, `drop-c${c}`) : undefined;
      const gwN = targets.includes('nb') ? await startGateway(infra, `nb-c${c}`, undefined, infra.nullBotUrl) : undefined;
      const parts: Record<Target, RawLoad[]> = { a: [], b: [], c: [], drop: [], nc: [], nb: [] };
      const sent: Record<Target, number> = { a: 0, b: 0, c: 0, drop: 0, nc: 0, nb: 0 };
      const echoes: Record<Target, number> = { a: 0, b: 0, c: 0, drop: 0, nc: 0, nb: 0 };
      let codes = 0;
      const rounds = Math.max(1, opts.rounds);
      const per = Math.ceil(opts.n / rounds);
      for (let r = 0; r < rounds; r++) {
        const order = targets.map((_, i) => targets[(i + r) % targets.length]);
        for (const t of order) {
          const isDrop = t === 'drop';
          const stream = isDrop ? dropStream.bodies : accepted;
          const warmStream = isDrop ? dropWarm.bodies : acceptedWarm;
          const bodies = stream.slice(r * per, (r + 1) * per);
          if (!bodies.length) continue;
          // The first round warms up fully; later ones only reopen the keep-alive connections.
          const warmBodies = r === 0 ? warmStream : warmStream.slice(0, 2 * c);
          const url = { a: infra.botUrl, c: proxyUrl, b: gwB?.url, drop: gwD?.url, nc: nullProxyUrl, nb: gwN?.url }[t]!;
          const isNull = NULL_TARGETS.includes(t);
          const servers: Record<string, Proc> = isNull ? { bot: infra.nullBot } : { bot: infra.bot, connector: infra.connector };
          if (t === 'c') servers.hop = proxy;
          if (t === 'b') servers.hop = gwB!.proc;
          if (t === 'drop') servers.hop = gwD!.proc;
          if (t === 'nc') servers.hop = nullProxy;
          if (t === 'nb') servers.hop = gwN!.proc;
          log(`c=${c} round ${r + 1}/${rounds} ${t}: ${warmBodies.length} warm-up + ${bodies.length} measured`);
          const before = await connectorCounts(infra.connector);
          let after = before;
          // Drop rounds wait for their pairing codes, so the next path runs on a quiet core.
          const settle = isDrop ? async () => void (after = await settleCodes(infra.connector)) : undefined;
          const run = await runLoad(infra, { url, concurrency: c, bodies, warmBodies, tag: `${t}-c${c}-r${r}`, settle }, servers);
          if (!isDrop) after = await connectorCounts(infra.connector);
          parts[t].push(run);
          sent[t] += bodies.length + warmBodies.length;
          echoes[t] += after.echoes - before.echoes;
          if (isDrop) codes += after.pairingCodes - before.pairingCodes;
        }
      }
      for (const t of targets) {
        if (t === 'drop') continue;
        // The null bot sends no replies: nothing to count at the connector.
        forward[`${t}-c${c}`] = NULL_TARGETS.includes(t) ? merge(parts[t]) : { ...merge(parts[t]), echoes: echoes[t], expectedEchoes: sent[t] };
      }
      if (gwB) Object.assign(forward[`b-c${c}`], { gateway: await stopGateway(gwB), expectedRecords: sent.b });
      if (gwN) Object.assign(forward[`nb-c${c}`], { gateway: await stopGateway(gwN), expectedRecords: sent.nb });
      if (gwD) {
        const distinct = dropStream.distinct + dropWarm.distinct;
        drop[`drop-c${c}`] = {
          ...merge(parts.drop),
          distinctSenders: distinct,
          pairingCodesSent: codes,
          gateway: await stopGateway(gwD),
          // Every inbound request, plus one outbound record per code sent.
          expectedRecords: sent.drop + codes,
        };
      }
    }
  } finally {
    await proxy.stop();
    await nullProxy.stop();
  }
  return { forward, drop: targets.includes('drop') ? drop : undefined };
}

// ---- 3. record scale ---------------------------------------------------------------------------

async function bundleCore(work: string): Promise<string> {
  const outfile = path.join(work, 'core-bundle.js');
  await esbuild.build({
    stdin: {
      contents: [
        "export { ActivityLog, readActivities } from './src/core/activity/activityLog';",
        "export { summarize } from './src/core/gateway/pipeline';",
        "export { PairingStore } from './src/core/pairing/pairingStore';",
        "export { writeFileAtomic } from './src/core/atomicWrite';",
        "export { redactString, redactText } from './src/core/redact';",
      ].join('\n'),
      resolveDir: REPO,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

async function recordScale(work: string, bundle: string, opts: Options): Promise<Record<string, any>> {
  const rand = prng(3);
  const template = path.join(work, 'record-template.json');
  const body = fixedSenderStream(1, [makeSender('u', 0, rand)], 'https://smba.trafficmanager.net/emea/', 3)[0];
  fs.writeFileSync(template, JSON.stringify(body));
  const out: Record<string, any> = {};
  const variants = [
    ['capacity 100000', '100000', '1'],
    ['default capacity (2000)', '', '1'],
    ['capacity 100000, bodies left out', '100000', '0'],
  ] as const;
  for (const [label, capacity, bodies] of variants) {
    log(`record scale: 100000 records, ${label}`);
    const dir = path.join(work, `records-${capacity || 'default'}-${bodies}`);
    const child = spawnProc(`records ${label}`, process.execPath, ['--expose-gc', path.join(__dirname, 'lib/recordScale.mjs')], {
      cpus: opts.pin ? SERVER_CPUS : undefined,
      env: { BUNDLE: bundle, DIR: dir, COUNT: '100000', CAPACITY: capacity, BODIES: bodies, TEMPLATE: template, RUNS: '15' },
      output: 'pipe',
      cwd: REPO,
    });
    out[label] = JSON.parse(await firstLine(child, 300_000));
    await child.exited;
  }
  return out;
}

// ---- 5. cross-process pickup (and the redactor on hostile strings) -----------------------------------

/** Figures the tests wait for without timing them: see bench/lib/pickupLag.mjs. */
async function pickup(work: string, bundle: string, opts: Options): Promise<Record<string, any>> {
  log('cross-process pickup: a pairing write in one process seen by a watching store in another (fs.watch, then poll only)');
  const child = spawnProc('pickup', process.execPath, [path.join(__dirname, 'lib/pickupLag.mjs')], {
    cpus: opts.pin ? SERVER_CPUS : undefined,
    env: { BUNDLE: bundle, DIR: path.join(work, 'pickup'), RUNS: '20' },
    output: 'pipe',
    cwd: REPO,
  });
  const out = JSON.parse(await firstLine(child, 300_000));
  await child.exited;
  return out;
}

// ---- 4. start-up and sizes --------------------------------------------------------------------------

async function startup(infra: Infra): Promise<Record<string, any>> {
  const { opts } = infra;
  const listening: number[] = [];
  const firstDelivered: number[] = [];
  const rand = prng(99);
  for (let i = 0; i < opts.startupRuns; i++) {
    const dir = path.join(infra.work, `startup-${i}`);
    fs.mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const configFile = path.join(dir, 'teams-bot.config.json');
    fs.writeFileSync(configFile, JSON.stringify(gatewayConfig(infra, port)));
    const url = `http://127.0.0.1:${port}/api/messages`;
    const body = Buffer.from(fixedSenderStream(1, ALLOWED, infra.serviceUrl, 1000 + Math.floor(rand() * 1000))[0]);
    const t0 = performance.now();
    const proc = spawnProc(`startup ${i}`, process.execPath, [path.join(DIST, 'cli.js'), 'serve', '--config', configFile, '--state-dir', path.join(dir, '.teams-bot'), '--port', String(port), '--bot-url', infra.botUrl], {
      cpus: opts.pin ? SERVER_CPUS : undefined,
      output: path.join(dir, 'serve.log'),
      env: { MSTEAMS_APP_PASSWORD: APP_PASSWORD, NODE_EXTRA_CA_CERTS: infra.caFile },
      cwd: dir,
    });
    try {
      await waitForHttp(url, 30_000, 2, proc);
      const t1 = performance.now();
      // The first activity also pays for the OpenID metadata and JWKS fetch.
      const res = await httpRequest(url, 'POST', body, { authorization: `Bearer ${infra.tokens[i % infra.tokens.length]}` });
      const t2 = performance.now();
      if (res.status !== 200) throw new Error(`start-up run ${i}: first activity answered ${res.status}: ${res.body.slice(0, 200)}`);
      listening.push(t1 - t0);
      firstDelivered.push(t2 - t0);
    } finally {
      await proc.stop('SIGTERM', 5000);
    }
  }
  // What the extension pays when the webhook starts: it requires dist/gateway.js lazily.
  const requireGateway: number[] = [];
  if (fs.existsSync(path.join(DIST, 'gateway.js'))) {
    for (let i = 0; i < opts.startupRuns; i++) {
      const outText = execFileSync(process.execPath, ['-e', "const t = performance.now(); require(process.argv[1]); process.stdout.write(String(performance.now() - t))", path.join(DIST, 'gateway.js')]).toString();
      requireGateway.push(Number(outText));
    }
  }
  const r = (v: number) => Math.round(v * 10) / 10;
  const stats = (v: number[]) => ({ median: r(median(v)), min: r(Math.min(...v)), max: r(Math.max(...v)), runs: v.length });
  return {
    requireGatewayMs: requireGateway.length ? stats(requireGateway) : undefined,
    command: 'node dist/cli.js serve --config F --state-dir D --port N --bot-url URL (appId set, JWT on)',
    toListeningMs: stats(listening),
    toFirstDeliveredMs: stats(firstDelivered),
    sizes: await artifactSizes(infra.work),
  };
}

async function artifactSizes(work: string): Promise<Record<string, any>> {
  const size = (p: string) => (fs.existsSync(p) ? fs.statSync(p).size : undefined);
  const entries: [string, string, string][] = [
    ['dist/extension.js', 'src/extension/extension.ts', 'extension'],
    ['dist/gateway.js', 'src/core/runtime/gatewayRuntime.ts', 'gateway'],
    ['dist/cli.js', 'src/cli/main.ts', 'cli'],
  ];
  const out: Record<string, any> = {};
  for (const [dist, entry, name] of entries) {
    const built = size(path.join(DIST, path.basename(dist)));
    const hasMap = fs.existsSync(path.join(DIST, `${path.basename(dist)}.map`));
    let minified: number | undefined;
    if (fs.existsSync(path.join(REPO, entry))) {
      // What `node esbuild.mjs --production` would ship, built aside so dist/ is left alone.
      try {
        const r = await esbuild.build({
          entryPoints: [path.join(REPO, entry)], bundle: true, platform: 'node', target: 'node20', format: 'cjs',
          mainFields: ['module', 'main'], minify: true, legalComments: 'none', write: false, outfile: path.join(work, `${name}.min.js`), logLevel: 'silent',
          define: { __VERSION__: '"bench"' },
          external: ['vscode', 'bufferutil', 'utf-8-validate', 'keytar', '@azure/msal-node-extensions', ...(name === 'extension' ? ['./gateway.js'] : [])],
        });
        minified = r.outputFiles.filter((f) => f.path.endsWith('.js')).reduce((a, f) => a + f.contents.length, 0);
      } catch {
        minified = undefined;
      }
    }
    out[dist] = {
      bytes: built,
      minifiedBytes: minified,
      status: built === undefined ? 'not built yet' : 'built',
      // `npm run build` writes linked source maps; `--production` minifies and writes none.
      build: built === undefined ? undefined : hasMap ? 'development (npm run build)' : 'production (minified)',
    };
  }
  const vsix = fs.readdirSync(REPO).filter((f) => f.endsWith('.vsix'));
  out.vsix = vsix.length ? vsix.map((f) => ({ file: f, bytes: size(path.join(REPO, f)) })) : { status: 'not built yet' };
  return out;
}

// ---- profiles (--profile) ----------------------------------------------------------------------------

async function profileRuns(infra: Infra, bundle: string, reference: { accepted?: number; drop?: number }): Promise<Record<string, any>> {
  const { opts } = infra;
  const n = Math.min(opts.n, 2000);
  const warmup = Math.min(opts.warmup, 500);
  const out: Record<string, any> = { runs: {} };
  const maps = { 'cli.js': path.join(DIST, 'cli.js.map') };
  // The sampler counts wall time the thread was not idle, preemption included: give the
  // gateway CPU 0 to itself and move the bots and the connector next to the load generator.
  const repin = (cpus: string) => {
    if (!opts.pin) return;
    for (const p of [infra.bot, infra.nullBot, infra.connector]) execFileSync('taskset', ['-a', '-pc', cpus, String(p.pid)], { stdio: 'ignore' });
  };
  repin(CLIENT_CPUS);
  try {
    for (const kind of ['accepted', 'drop'] as const) {
      const c = 32;
      const tag = `profile-${kind}-c${c}`;
      log(`profiling the gateway: ${kind} path at concurrency ${c} (node --cpu-prof)`);
      const profDir = path.join(infra.work, tag);
      // The accepted path in front of the null bot: with the echo bot the gateway idled most of the run, and
      // its timers and polls looked like per-request cost.
      const gw = await startGateway(infra, tag, profDir, kind === 'accepted' ? infra.nullBotUrl : undefined);
      const stream = kind === 'accepted'
        ? { bodies: fixedSenderStream(n, ALLOWED, infra.serviceUrl, 1), warm: fixedSenderStream(warmup, ALLOWED, infra.serviceUrl, 2) }
        : { bodies: unpairedStream(n, 'p', NEW_SENDER_EVERY, infra.serviceUrl, 31).bodies, warm: unpairedStream(warmup, 'pw', NEW_SENDER_EVERY, infra.serviceUrl, 32).bodies };
      const settle = kind === 'drop' ? async () => void (await settleCodes(infra.connector)) : undefined;
      const load = await runLoad(infra, { url: gw.url, concurrency: c, bodies: stream.bodies, warmBodies: stream.warm, tag, settle }, { hop: gw.proc });
      await stopGateway(gw);
      const file = fs.existsSync(profDir) ? fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
      if (!file) {
        out.runs[kind] = { error: 'no .cpuprofile written' };
        continue;
      }
      const kept = path.join(opts.out, `gateway-${kind}-c${c}.cpuprofile`);
      fs.copyFileSync(path.join(profDir, file), kept);
      const summary: ProfileSummary = summarizeProfile(kept, {
        maps,
        top: 15,
        windowFrom: /src\/core\/gateway\/pipeline\.ts/,
        requests: stream.bodies.length + stream.warm.length,
        // Split the unprofiled run's CPU per request (the profiler adds its own overhead) when there is one.
        cpuUsPerRequest: reference[kind] ?? load.cpuUsPerReq.hop,
      });
      out.runs[kind] = {
        rps: load.rps,
        p99: load.latencyMs.p99,
        cpuUsPerReq: load.cpuUsPerReq.hop,
        profile: path.relative(REPO, kept),
        summary,
        markdown: profileMarkdown(`${kind} path${kind === 'accepted' ? ' (null bot)' : ''}, concurrency ${c}`, summary),
      };
    }
  } finally {
    repin(SERVER_CPUS);
  }
  log('JWT check breakdown: BotFrameworkAuth.check against jsonwebtoken with a PEM and with a KeyObject');
  const jwtChild = spawnProc('jwt cost', process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'lib/jwtCost.ts')], {
    cpus: opts.pin ? SERVER_CPUS : undefined, output: 'pipe', cwd: REPO,
  });
  out.jwtCost = JSON.parse(await firstLine(jwtChild, 120_000));
  await jwtChild.exited;
  log('drop-path breakdown: PairingStore.touch() cost by pending-list size');
  const child = spawnProc('pairing cost', process.execPath, [path.join(__dirname, 'lib/pairingCost.mjs')], {
    cpus: opts.pin ? SERVER_CPUS : undefined, env: { BUNDLE: bundle, DIR: path.join(infra.work, 'pairing-cost') }, output: 'pipe', cwd: REPO,
  });
  out.pairingCost = JSON.parse(await firstLine(child, 300_000));
  await child.exited;
  return out;
}

/** Pairing codes go out after the answers: wait until they stop arriving (400 ms without a new one, at most 60 s). */
async function settleCodes(connector: Proc): Promise<{ requests: number; echoes: number; pairingCodes: number }> {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = await connectorCounts(connector);
    if (counts.pairingCodes !== last) {
      last = counts.pairingCodes;
      stableSince = Date.now();
    }
    if (Date.now() - stableSince >= 400 || Date.now() > deadline) return counts;
    await sleep(100);
  }
}
