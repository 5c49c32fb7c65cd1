/**
 * A small summarizer for V8 .cpuprofile files (node --cpu-prof): self time per
 * function and per owner (our src/core, each npm package, Node internals, GC).
 * dist/*.js is one bundle, so frames are mapped back to their original file
 * through the bundle's source map.
 *
 *   node --import tsx bench/lib/cpuprofile.ts <file.cpuprofile> [bundle.js.map] [top]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceMap } from 'node:module';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  fn: string;
  where: string;
  owner: string;
  selfMs: number;
  pct: number;
}

export interface ProfileSummary {
  file: string;
  /** Samples before the first one inside `windowFrom` were left out (start-up), this many ms of them. */
  skippedMs: number;
  /** False when no sample matched windowFrom (e.g. a bundle without its source map): the whole profile was counted. */
  windowFound: boolean;
  /** Requests the process handled in the window (given by the caller), for µs per request. */
  requests?: number;
  cpuUsPerRequest?: number;
  totalMs: number;
  /** Time the process had something to run (everything but "(idle)"). */
  busyMs: number;
  idleMs: number;
  owners: { owner: string; selfMs: number; pct: number }[];
  /**
   * Self time of Node internals and native frames charged to the nearest
   * caller that is ours or a package's: who asked for the work.
   */
  chargedTo: { owner: string; ms: number; pct: number; usPerRequest?: number }[];
  /** chargedTo summed by group: ours, the SDK's JWT check, Express, … */
  groups: { group: string; ms: number; pct: number; usPerRequest?: number }[];
  top: FunctionCost[];
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/** Who owns a source file: "ours: src/core/x.ts" (file level), a package name, node internals, or a V8 pseudo-frame. */
export function ownerOf(source: string, fn: string): string {
  if (source === '') {
    if (fn.startsWith('(')) return fn; // (garbage collector), (program), (idle), (root)
    return '(native)';
  }
  if (source.startsWith('node:')) return 'node internals';
  const norm = source.replace(/\\/g, '/');
  const nm = norm.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = norm.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = norm.indexOf('src/');
  if (src >= 0) return `ours: ${norm.slice(src)}`;
  return path.basename(norm);
}

export interface SummarizeOptions {
  /** Bundle basename → its source map file (default: <bundle>.map next to it). */
  maps?: Record<string, string>;
  top?: number;
  /** Start counting at the first sample whose stack has a frame from a source matching this (e.g. the request handler), to leave start-up out. */
  windowFrom?: RegExp;
  requests?: number;
  /**
   * The process's real CPU time per request (from /proc) for the same run.
   * The sampler counts wall time the thread was not idle, which includes
   * time it was runnable but preempted; shares times this figure give µs.
   */
  cpuUsPerRequest?: number;
}

const GROUPS: [string, RegExp][] = [
  ['ours (src/)', /^ours: /],
  ['JWT check in the SDK (teams.apps JwtValidator → jsonwebtoken, jws, jwa, jwks-rsa)', /^(@microsoft\/teams\.apps|jsonwebtoken|jws|jwa|jwks-rsa|lru-memoizer|lodash\..*|lodash|ecdsa-sig-formatter|safe-buffer|buffer-equal-constant-time|semver|ms|limiter|jose)$/],
  ['Express 5 stack (express, router, body-parser, raw-body, …)', /^(express|router|body-parser|raw-body|parseurl|on-finished|finalhandler|iconv-lite|type-is|content-type|media-typer|mime-types|mime-db|depd|http-errors|statuses|debug|encodeurl|escape-html|fresh|send|serve-static|qs|vary|setprototypeof|path-to-regexp|is-promise|merge-descriptors|cookie|cookie-signature|proxy-addr|forwarded|ipaddr\.js|accepts|negotiator|content-disposition|etag|range-parser|unpipe|bytes|ee-first|once|wrappy|inherits|toidentifier|call-bound|get-intrinsic|function-bind|es-errors|side-channel.*|object-inspect|math-intrinsics|hasown|dunder-proto|get-proto|gopd|es-define-property|es-object-atoms|call-bind-apply-helpers|has-symbols|safer-buffer)$/],
  ['Bot Connector client (@microsoft/teams.api, axios, @azure/*)', /^(@microsoft\/teams\.api|@microsoft\/teams\.common|axios|follow-redirects|form-data|proxy-from-env|combined-stream|asynckit|delayed-stream|@azure\/.*|@typespec\/.*|tslib|uuid)$/],
  ['pairing-file lock (proper-lockfile, retry, graceful-fs)', /^(proper-lockfile|retry|graceful-fs|signal-exit)$/],
  ['config (ajv, jsonc-parser)', /^(ajv|ajv-formats|fast-uri|fast-deep-equal|json-schema-traverse|require-from-string|jsonc-parser)$/],
  ['Node plumbing not charged to a caller (HTTP parser, sockets, streams, timers)', /^(node internals|\(native\))$/],
  ['GC and VM', /^\((garbage collector|program)\)$/],
];

export function groupOf(owner: string): string {
  for (const [name, re] of GROUPS) if (re.test(owner)) return name;
  return 'other';
}

const isPlumbing = (owner: string) => owner === 'node internals' || owner === '(native)';

export function summarizeProfile(file: string, opts: SummarizeOptions = {}): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (url: string): SourceMap | null => {
    if (maps.has(url)) return maps.get(url)!;
    let map: SourceMap | null = null;
    const base = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
    const mapFile = opts.maps?.[path.basename(base)] ?? `${base}.map`;
    if (base.endsWith('.js') && fs.existsSync(mapFile)) {
      try {
        map = new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8')));
      } catch {
        map = null;
      }
    }
    maps.set(url, map);
    return map;
  };

  interface Resolved {
    fn: string;
    where: string;
    owner: string;
    source: string;
  }
  const resolved = new Map<number, Resolved>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  for (const node of profile.nodes) {
    const cf = node.callFrame;
    let source = cf.url;
    let line = cf.lineNumber + 1;
    const fnName = cf.functionName || '(anonymous)';
    if (cf.url && !cf.url.startsWith('node:')) {
      const map = mapFor(cf.url);
      if (map) {
        const entry = map.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; originalLine?: number };
        if (entry?.originalSource) {
          source = entry.originalSource;
          line = (entry.originalLine ?? 0) + 1;
        }
      }
    }
    const shortSource = source.replace(/^.*node_modules\//, '').replace(/^.*?(src\/)/, '$1').replace(/^file:\/\//, '');
    resolved.set(node.id, { fn: fnName, where: source ? `${shortSource}:${line}` : '', owner: ownerOf(source, fnName), source });
  }
  const stackMatches = (id: number, re: RegExp): boolean => {
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) if (re.test(resolved.get(n)!.source)) return true;
    return false;
  };
  /** The nearest frame up the stack that is not Node plumbing. */
  const chargeOwner = (id: number): string => {
    const own = resolved.get(id)!.owner;
    if (!isPlumbing(own)) return own;
    for (let n = parent.get(id); n !== undefined; n = parent.get(n)) {
      const o = resolved.get(n)!.owner;
      if (!isPlumbing(o) && !o.startsWith('(')) return o;
    }
    return own;
  };

  // The window starts at the first sample inside windowFrom; without a match (no source map) it is the whole profile.
  let first = 0;
  let windowFound = !opts.windowFrom;
  if (opts.windowFrom) {
    const i = profile.samples.findIndex((id) => stackMatches(id, opts.windowFrom!));
    if (i >= 0) {
      first = i;
      windowFound = true;
    }
  }
  const selfUs = new Map<number, number>();
  let skipped = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: charge it to this one.
    const id = profile.samples[i];
    const dt = profile.timeDeltas[i] ?? 0;
    if (i < first) {
      skipped += dt;
      continue;
    }
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }

  const byFn = new Map<string, FunctionCost>();
  const byOwner = new Map<string, number>();
  const charged = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const r = resolved.get(id)!;
    total += us;
    if (r.fn === '(idle)') idle += us;
    const key = `${r.fn}|${r.where}`;
    const entry = byFn.get(key) ?? { fn: r.fn, where: r.where, owner: r.owner, selfMs: 0, pct: 0 };
    entry.selfMs += us / 1000;
    byFn.set(key, entry);
    byOwner.set(r.owner, (byOwner.get(r.owner) ?? 0) + us / 1000);
    if (r.fn !== '(idle)') {
      const c = chargeOwner(id);
      charged.set(c, (charged.get(c) ?? 0) + us / 1000);
    }
  }
  const busyMs = (total - idle) / 1000;
  const pct = (ms: number) => round((ms / busyMs) * 100);
  const top = [...byFn.values()]
    .filter((f) => f.fn !== '(idle)')
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, opts.top ?? 15)
    .map((f) => ({ ...f, selfMs: round(f.selfMs), pct: pct(f.selfMs) }));
  const owners = [...byOwner.entries()]
    .filter(([o]) => o !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .map(([owner, ms]) => ({ owner, selfMs: round(ms), pct: pct(ms) }));
  const chargedTo = [...charged.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([owner, ms]) => ({ owner, ms: round(ms), pct: pct(ms), usPerRequest: opts.cpuUsPerRequest !== undefined ? Math.round((ms / busyMs) * opts.cpuUsPerRequest) : opts.requests ? Math.round((ms * 1000) / opts.requests) : undefined }));
  const byGroup = new Map<string, number>();
  for (const c of chargedTo) byGroup.set(groupOf(c.owner), (byGroup.get(groupOf(c.owner)) ?? 0) + c.ms);
  const groups = [...byGroup.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([group, ms]) => ({ group, ms: round(ms), pct: pct(ms), usPerRequest: opts.cpuUsPerRequest !== undefined ? Math.round((ms / busyMs) * opts.cpuUsPerRequest) : opts.requests ? Math.round((ms * 1000) / opts.requests) : undefined }));
  return { file, skippedMs: round(skipped / 1000), windowFound, groups, requests: opts.requests, cpuUsPerRequest: opts.cpuUsPerRequest, totalMs: round(total / 1000), busyMs: round(busyMs), idleMs: round(idle / 1000), owners, chargedTo, top };
}

export function profileMarkdown(title: string, s: ProfileSummary, ownersShown = 12): string {
  const lines = [
    `#### ${title}`,
    '',
    `Profile ${path.basename(s.file)}: ${s.totalMs} ms sampled ${s.windowFound ? `from the first request on (${s.skippedMs} ms of start-up left out)` : 'in all (no frame matched the request handler, so start-up is included: was the bundle built without its source map?)'}, ${s.busyMs} ms busy (${round((s.busyMs / s.totalMs) * 100)} %), ${s.idleMs} ms idle${s.requests ? `; ${s.requests} requests` : ''}${s.cpuUsPerRequest !== undefined ? `; the gateway's CPU time per request measured from /proc without the profiler, ${s.cpuUsPerRequest} µs, split by share in the µs column` : ''}.`,
    '',
    '| group | ms | % of busy |' + (s.requests ? ' µs/request |' : ''),
    '|---|---:|---:|' + (s.requests ? '---:|' : ''),
    ...s.groups.map((g) => `| ${g.group} | ${g.ms} | ${g.pct} |${s.requests ? ` ${g.usPerRequest} |` : ''}`),
    '',
    'Who asked for the CPU time (Node internals and native frames charged to their nearest caller):',
    '',
    `| charged to | ms | % of busy |${s.requests ? ' µs/request |' : ''}`,
    `|---|---:|---:|${s.requests ? '---:|' : ''}`,
    ...s.chargedTo.slice(0, ownersShown).map((o) => `| ${o.owner} | ${o.ms} | ${o.pct} |${s.requests ? ` ${o.usPerRequest} |` : ''}`),
    '',
    '| function | where | owner | self ms | % of busy |',
    '|---|---|---|---:|---:|',
    ...s.top.map((f) => `| \`${f.fn}\` | ${f.where} | ${f.owner} | ${f.selfMs} | ${f.pct} |`),
    '',
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const [file, map, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/lib/cpuprofile.ts <file.cpuprofile> [bundle.js.map] [top]\n');
    process.exit(2);
  }
  const summary = summarizeProfile(file, { maps: map ? { [path.basename(map, '.map')]: map } : undefined, top: top ? Number(top) : 20, windowFrom: /src\/core\/gateway\/pipeline\.ts/ });
  process.stdout.write(profileMarkdown(path.basename(file), summary));
}
