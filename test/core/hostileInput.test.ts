/**
 * Hostile input against the real gateway on loopback: a seeded, bounded
 * stream of random and malicious bodies, headers and raw HTTP. Set
 * HOSTILE_SEED=<n> to replay a failing run; every failure names its case.
 *
 * The config never involves a bot (bot.echo; echo replies and pairing codes
 * go to a fake connector), so any 5xx would be the gateway's own failure.
 */
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { startGateway, personalMessage, type RunningGateway } from '../support/gatewayHarness';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector';
import { startBotFrameworkStub, type BotFrameworkStub } from '../support/botFrameworkStub';
import { parsePairingFile } from '../../src/core/pairing/pairingStore';
import { REASONS, type Reason } from '../../src/core/reasons';
import type { ActivityRecord } from '../../src/core/activity/activityRecord';

const SEED = Number(process.env.HOSTILE_SEED ?? 0x7ea115);
const ITERATIONS = 500;
const MAX_BODY = 1024 * 1024;
/**
 * Hang guard per request: every case must get its answer (a hang fails the case
 * by name). How fast the gateway answers is a figure of `npm run bench`, not
 * asserted here (milliseconds normally, but a shared 2-core runner can stall).
 */
const HANG_GUARD_MS = 10_000;
const FRIEND = Object.freeze({ id: '29:friend', name: 'Friend', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000f00d' });
const BOT = Object.freeze({ id: '28:bot-id', name: 'GatewayBot' });

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}
type Rng = ReturnType<typeof prng>;

interface Expect {
  status?: number;
  reason?: Reason;
}
type Case =
  | { kind: 'http'; name: string; path?: string; headers: Record<string, string>; body: Buffer | Buffer[]; expect?: Expect }
  | {
    kind: 'raw'; name: string; data: Buffer; halfClose?: boolean; expect?: Expect;
    /** Records expected when not one per answer: 0 when Node answers by itself, 2 for a pipelined pair with one answer. */
    records?: number;
  };

const HOSTILE_VALUES: readonly unknown[] = [
  5, -1, 0, 1e308, true, false, null, [], {}, '', 'x', [1, 2], { id: 5 }, { id: {} }, { id: [] }, '\u0000', '__proto__',
  'constructor', 'toString', '\ud800', 'x'.repeat(10_000), [{ type: 'mention', mentioned: 5 }], [null], { toString: 'x', valueOf: 1 },
];
const FIELD_PATHS: readonly string[][] = [
  ['from'], ['from', 'id'], ['from', 'name'], ['from', 'aadObjectId'], ['recipient'], ['recipient', 'id'], ['recipient', 'name'],
  ['conversation'], ['conversation', 'id'], ['conversation', 'conversationType'], ['conversation', 'isGroup'], ['conversation', 'tenantId'],
  ['entities'], ['entities', '0'], ['entities', '0', 'mentioned'], ['entities', '0', 'mentioned', 'id'], ['text'], ['type'], ['id'], ['name'],
  ['serviceUrl'], ['channelData'], ['channelData', 'team'], ['channelData', 'team', 'id'], ['channelData', 'channel'], ['channelData', 'channel', 'id'],
  ['channelData', 'tenant'], ['channelData', 'tenant', 'id'], ['value'], ['replyToId'], ['textFormat'], ['timestamp'], ['channelId'],
];
const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', 'application/json; charset=utf-16', '*/*', 'image/png'];

function baseActivity(rng: Rng, serviceUrl: string): Record<string, any> {
  const kind = rng.pick(['personal', 'groupChat', 'channel'] as const);
  const sender = rng.next() < 0.3 ? { ...FRIEND } : { id: `29:user-${rng.int(40)}`, name: rng.pick(['Ann Lee', 'Bob', '', 'Zoë ☃']), aadObjectId: `aad-${rng.int(40)}` };
  const a: Record<string, any> = {
    type: rng.pick(['message', 'message', 'message', 'invoke', 'conversationUpdate', 'messageReaction', 'event']),
    id: `m-${rng.int(1e9)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: sender,
    recipient: { ...BOT },
    conversation: kind === 'personal'
      ? { id: `a:personal-${sender.id}`, conversationType: 'personal', tenantId: 't' }
      : kind === 'groupChat'
        ? { id: '19:group@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: 't' }
        : { id: `19:chan@thread.tacv2;messageid=${rng.int(1e6)}`, conversationType: 'channel', isGroup: true, tenantId: 't' },
    text: rng.pick(['hi', '<at>GatewayBot</at> hello', '', 'ünïcödé 👋 \u202e RTL']),
    entities: rng.next() < 0.5 ? [{ type: 'mention', mentioned: { ...BOT }, text: '<at>GatewayBot</at>' }] : [],
    channelData: { tenant: { id: 't' }, ...(kind === 'channel' ? { team: { id: '19:team@thread.tacv2' }, channel: { id: '19:chan@thread.tacv2' } } : {}) },
  };
  return a;
}

function setPath(obj: Record<string, any>, keys: string[], value: unknown): void {
  let cur: any = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    if (cur[keys[i]] === null || typeof cur[keys[i]] !== 'object') cur[keys[i]] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    cur = cur[keys[i]];
  }
  Object.defineProperty(cur, keys[keys.length - 1], { value, enumerable: true, writable: true, configurable: true });
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function deepNesting(levels: number, object: boolean): Buffer {
  const open = object ? '{"a":' : '[';
  const close = object ? '}' : ']';
  return Buffer.from(`{"type":"message","x":${open.repeat(levels)}1${close.repeat(levels)}}`);
}

function chunks(buf: Buffer, rng: Rng): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length;) {
    const n = 1 + rng.int(Math.max(1, Math.min(4096, buf.length - i)));
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out.length ? out : [Buffer.alloc(0)];
}

function httpRequest(head: string, body: string | Buffer = ''): Buffer {
  return Buffer.concat([Buffer.from(head.replace(/\n/g, '\r\n'), 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
}

/** Hand-made raw HTTP that no well-behaved client sends. */
function rawCases(rng: Rng): Case[] {
  const body = JSON.stringify({ type: 'message' });
  return [
    { kind: 'raw', name: 'bad request line', data: httpRequest(`${rng.bytes(8).toString('hex')} \n\n`), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'random bytes as a request', data: Buffer.concat([rng.bytes(1 + rng.int(2000)), Buffer.from('\r\n\r\n')]), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'header overflow (>16 KiB of headers)', data: httpRequest(`POST /api/messages HTTP/1.1\nHost: x\nX-Big: ${'a'.repeat(17_000 + rng.int(20_000))}\n\n`), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'NUL in a header value', data: httpRequest(`POST /api/messages HTTP/1.1\nHost: x\nX-Nul: a\u0000b\nContent-Length: ${body.length}\n\n`, body), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'space in a header name', data: httpRequest(`POST /api/messages HTTP/1.1\nHost: x\nBad Header: 1\nContent-Length: ${body.length}\n\n`, body), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'content-length and transfer-encoding together', data: httpRequest('POST /api/messages HTTP/1.1\nHost: x\nContent-Length: 3\nTransfer-Encoding: chunked\n\n0\n\n'), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'two different content-lengths', data: httpRequest(`POST /api/messages HTTP/1.1\nHost: x\nContent-Length: 2\nContent-Length: ${body.length}\n\n`, body), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'absurd content-length', data: httpRequest('POST /api/messages HTTP/1.1\nHost: x\nContent-Length: 99999999999999999999\n\n'), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'negative content-length', data: httpRequest('POST /api/messages HTTP/1.1\nHost: x\nContent-Length: -5\n\n{}'), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'invalid chunk size', data: httpRequest('POST /api/messages HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\nzz\nabc\n0\n\n'), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'HTTP/2 preface on an HTTP/1 port', data: Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), expect: { status: 400, reason: 'bad-http-request' } },
    { kind: 'raw', name: 'bare LF line endings', data: Buffer.from(`POST /api/messages HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}`), expect: { status: 400, reason: 'bad-http-request' } },
    // Fewer body bytes than announced, then the client closes its side: a truncated upload.
    { kind: 'raw', name: 'content-length longer than the body, then half-close', data: httpRequest(`POST /api/messages HTTP/1.1\nHost: x\nContent-Length: ${body.length + 50}\n\n`, body), halfClose: true, expect: { status: 400, reason: 'bad-http-request' } },
    // More body bytes than announced: the rest is read as a second, garbage request. Both are
    // recorded; the parser error closes the socket before the first (async) answer is written.
    { kind: 'raw', name: 'content-length shorter than the body', data: httpRequest('POST /api/messages HTTP/1.1\nHost: x\nContent-Length: 5\n\n', `${body}${'z'.repeat(rng.int(50))}`), expect: { status: 400 }, records: 2 },
    // Node would answer 417 by itself, unrecorded; the gateway handles it as a normal request.
    { kind: 'raw', name: 'an Expect other than 100-continue', data: httpRequest(`POST /api/messages HTTP/1.1\nHost: 127.0.0.1\nExpect: ${rng.pick(['foo', '200-ok', 'x'])}\nConnection: close\nContent-Length: ${body.length}\n\n`, body), expect: { status: 200, reason: 'no-sender' } },
    // HTTP/1.1 without Host: Node answers 400 itself before any handler or event (requireHostHeader).
    { kind: 'raw', name: 'HTTP/1.1 without Host', data: httpRequest(`POST /api/messages HTTP/1.1\nConnection: close\nContent-Length: ${body.length}\n\n`, body), records: 0, expect: { status: 400 } },
    // A loopback Host: local mode judges the Host (host-not-loopback) before the path.
    { kind: 'raw', name: 'a path that cannot be decoded', data: httpRequest(`POST /api/%${rng.pick(['', 'zz', 'E0%A4%A'])} HTTP/1.1\nHost: 127.0.0.1\nConnection: close\nContent-Length: ${body.length}\n\n`, body), expect: { status: 400, reason: 'bad-http-request' } },
  ];
}

/** The lower bound of each category's roll in genCase: the first requests go through every category once, whatever the seed. */
const EVERY_CATEGORY = [0, 8, 10, 13, 45, 52, 58, 64, 67, 71, 77, 83, 87, 92];

function genCase(rng: Rng, serviceUrl: string, forcedRoll?: number): Case {
  const roll = forcedRoll ?? rng.int(100);
  const ct = () => ({ 'content-type': rng.pick(CONTENT_TYPES) });
  if (roll < 8) return { kind: 'http', name: 'random bytes', headers: ct(), body: rng.bytes(rng.int(4096)) };
  if (roll < 10) {
    return { kind: 'http', name: 'deeply nested JSON (100k levels)', headers: { 'content-type': 'application/json' }, body: deepNesting(100_000, rng.next() < 0.5) };
  }
  if (roll < 13) {
    const a = baseActivity(rng, serviceUrl);
    const unit = rng.pick(['é', 'x', '👋', '\u0000', '"']);
    const unitBytes = Buffer.byteLength(JSON.stringify(unit)) - 2;
    a.text = unit.repeat(Math.floor((MAX_BODY - 4096) / unitBytes));
    const body = json(a);
    assert.ok(body.length < MAX_BODY);
    return { kind: 'http', name: `huge text under the limit (${body.length} bytes of ${JSON.stringify(unit)})`, headers: { 'content-type': 'application/json' }, body };
  }
  if (roll < 45) {
    const a = baseActivity(rng, serviceUrl);
    const field = rng.pick(FIELD_PATHS);
    const value = rng.pick(HOSTILE_VALUES);
    setPath(a, field, value);
    return { kind: 'http', name: `wrong type: ${field.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}`, headers: { 'content-type': 'application/json' }, body: json(a) };
  }
  if (roll < 52) {
    const a = baseActivity(rng, serviceUrl);
    const key = rng.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']);
    const where = rng.pick(['top', 'from', 'channelData', 'team', 'from.id', 'team.id']);
    let text = JSON.stringify(a);
    const payload = `"${key}":{"polluted":"yes","prototype":{"polluted":"yes"},"id":"${key}"}`;
    if (where === 'top') text = text.replace(/^\{/, `{${payload},`);
    else if (where === 'from') text = text.replace('"from":{', `"from":{${payload},`);
    else if (where === 'channelData') text = text.replace('"channelData":{', `"channelData":{${payload},`);
    else if (where === 'team') text = text.replace('"channelData":{', `"channelData":{"team":{"id":"${key}"},"channel":{"id":"${key}"},`);
    else if (where === 'from.id') text = text.replace(/"from":\{"id":"[^"]*"/, `"from":{"id":"${key}"`);
    else text = text.replace('"conversation":{', `"conversation":{"id":"${key}","conversationType":"channel",`);
    return { kind: 'http', name: `prototype key ${key} at ${where}`, headers: { 'content-type': 'application/json' }, body: Buffer.from(text) };
  }
  if (roll < 58) {
    const a = baseActivity(rng, serviceUrl);
    const weird = rng.pick(['\u0000', '\r\n[msteams] forged line', '\ufeff', '\ud83d', '\u202e', '\uffff', '\\u0000', '𝔘𝔫𝔦']);
    a.from = { ...a.from, id: `29:${weird}${rng.int(5)}`, name: `N${weird}` };
    a.text = `${weird}text${weird}`;
    const bodyText = JSON.stringify(a).replace('"text":"', `"text":"\\ud800\\u0000`);
    const body = rng.next() < 0.3 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bodyText)]) : Buffer.from(bodyText);
    return { kind: 'http', name: `unicode/NUL ${JSON.stringify(weird)}`, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
  }
  if (roll < 64) {
    const encoding = rng.pick(['gzip', 'deflate', 'br'] as const);
    const bomb = Buffer.alloc(MAX_BODY * (2 + rng.int(6)), rng.pick([0x20, 0x7b, 0x61]));
    const compressed = encoding === 'gzip' ? zlib.gzipSync(bomb, { level: 9 }) : encoding === 'deflate' ? zlib.deflateSync(bomb, { level: 9 }) : zlib.brotliCompressSync(bomb);
    return { kind: 'http', name: `${encoding} bomb (${compressed.length} bytes → ${bomb.length})`, headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: compressed, expect: { status: 413, reason: 'body-too-large' } };
  }
  if (roll < 67) {
    const a = baseActivity(rng, serviceUrl);
    return { kind: 'http', name: 'gzip-encoded activity', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: zlib.gzipSync(json(a)) };
  }
  if (roll < 71) {
    const enc = rng.pick(['zstd', 'gzip', 'deflate', 'br', 'x-bogus', 'gzip, gzip', 'identity, gzip', '\t']);
    return { kind: 'http', name: `bogus content-encoding ${JSON.stringify(enc)}`, headers: { 'content-type': 'application/json', 'content-encoding': enc }, body: json(baseActivity(rng, serviceUrl)) };
  }
  if (roll < 77) {
    const a = baseActivity(rng, serviceUrl);
    const body = rng.next() < 0.5 ? json(a) : rng.bytes(rng.int(3000));
    return { kind: 'http', name: 'chunked body', headers: { 'content-type': 'application/json' }, body: chunks(body, rng) };
  }
  if (roll < 83) {
    const junk = rng.pick([
      () => rng.bytes(1 + rng.int(200)).toString('base64'),
      () => `Bearer ${rng.bytes(rng.int(3000)).toString('base64url')}`,
      () => `Bearer eyJ${rng.bytes(30).toString('base64url')}.${rng.bytes(60).toString('base64url')}.${rng.bytes(40).toString('base64url')}`,
      () => 'Bearer',
      () => 'Basic Og==',
      () => `Bearer ${'a.'.repeat(4000)}`,
      () => Array.from({ length: 1 + rng.int(200) }, () => String.fromCharCode(0x20 + rng.int(95))).join(''),
    ])();
    return { kind: 'http', name: 'garbage Authorization', headers: { 'content-type': 'application/json', authorization: junk }, body: json(baseActivity(rng, serviceUrl)) };
  }
  if (roll < 87) {
    const p = rng.pick(['/', '/api', '/api/messages/', '/api/messages/../x', '/API/MESSAGES', '/api/messages%00', `/${rng.bytes(10).toString('hex')}`]);
    return { kind: 'http', name: `POST to ${p}`, path: p, headers: ct(), body: json(baseActivity(rng, serviceUrl)) };
  }
  if (roll < 92) {
    // Valid JSON that is not an activity.
    const value = rng.pick<unknown>([[], 5, 'str', null, true, {}, { type: 5 }, { type: null }, { type: [] }, { type: {} }, [{ type: 'message' }]]);
    return { kind: 'http', name: `not an activity: ${JSON.stringify(value)}`, headers: ct(), body: json(value), expect: { status: 400, reason: 'not-an-activity' } };
  }
  return rng.pick(rawCases(rng));
}

interface Answer {
  statuses: number[];
  /** Responses that carry the gateway's own reason (header or body). */
  gatewayReasons: string[];
}

function sendHttp(port: number, c: Extract<Case, { kind: 'http' }>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...c.headers };
    if (!Array.isArray(c.body)) headers['content-length'] = c.body.length;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: c.path ?? '/api/messages', headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const reason = res.headers['x-teams-bot-dev-reason'];
        resolve({ statuses: [res.statusCode!], gatewayReasons: typeof reason === 'string' ? [reason] : [] });
      });
      res.on('error', reject);
    });
    req.setTimeout(HANG_GUARD_MS, () => req.destroy(new Error(`no answer within ${HANG_GUARD_MS} ms`)));
    req.on('error', reject);
    if (Array.isArray(c.body)) {
      for (const part of c.body) req.write(part);
      req.end();
    } else {
      req.end(c.body);
    }
  });
}

function sendRaw(port: number, c: Extract<Case, { kind: 'raw' }>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not answer and close within ${HANG_GUARD_MS} ms`));
    }, HANG_GUARD_MS);
    socket.on('data', (d: Buffer) => parts.push(d));
    // ECONNRESET after the answer is fine: the server may close while we still write.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(parts).toString('latin1');
      const responses = text.split(/(?=HTTP\/1\.1 \d{3} )/).filter((r) => r.startsWith('HTTP/1.1 '));
      const statuses = responses.map((r) => Number(r.slice(9, 12)));
      const gatewayReasons = responses.map((r) => /x-teams-bot-dev-reason: ([\w-]+)|"reason":"([\w-]+)"/i.exec(r)).map((m) => (m ? m[1] ?? m[2] : ''));
      resolve({ statuses, gatewayReasons });
    });
    socket.write(c.data, () => {
      if (c.halfClose) socket.end();
    });
  });
}

describe('hostile input against the real gateway on loopback', function () {
  this.timeout(180_000);

  let connector: FakeConnector;
  let gw: RunningGateway;
  let inbound: ActivityRecord[] = [];
  let off: () => void;
  const protoBefore = snapshotPrototypes();

  before(async () => {
    connector = await startFakeConnector();
    gw = await startGateway({
      dmPolicy: 'pairing',
      allowFrom: [FRIEND.aadObjectId],
      groupPolicy: 'open',
      requireMention: true,
      teams: { '19:team@thread.tacv2': {} },
      bot: { echo: true },
      webhook: { maxBodyBytes: MAX_BODY },
      pairing: { maxPending: 20 },
    });
    off = gw.gateway.on('activity', (r) => {
      if (r.direction === 'inbound') inbound.push(r);
    });
  });
  after(async () => {
    off?.();
    await gw?.stop();
    await connector?.stop();
  });

  it(`${ITERATIONS} seeded random and hostile requests (seed ${SEED}): no crash, no 5xx, each recorded once with its reason, none left unanswered`, async () => {
    const rng = prng(SEED);
    let answered = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const c = genCase(rng, connector.serviceUrl, EVERY_CATEGORY[i]);
      const label = `#${i} ${c.kind} "${c.name}" (HOSTILE_SEED=${SEED})`;
      const before = inbound.length;
      let answer: Answer;
      try {
        answer = c.kind === 'http' ? await sendHttp(gw.port, c) : await sendRaw(gw.port, c);
      } catch (err) {
        throw new Error(`${label}: ${(err as Error).message}`);
      }
      assert.ok(answer.statuses.length >= 1, `${label}: no HTTP answer`);
      for (const status of answer.statuses) {
        assert.ok(status >= 200 && status < 500, `${label}: HTTP ${status}`);
        assert.notEqual(status, 502, `${label}: a bot was involved`);
      }
      const fresh = inbound.slice(before);
      const recorded = (c.kind === 'raw' ? c.records : undefined) ?? answer.statuses.length;
      assert.equal(fresh.length, recorded, `${label}: ${fresh.length} records for ${answer.statuses.length} answers (${answer.statuses.join(', ')}): ${fresh.map((r) => r.reason).join(', ')}`);
      answered += recorded;
      for (const r of fresh) {
        assert.ok(r.reason in REASONS, `${label}: reason ${r.reason} is not in the vocabulary`);
        assert.equal(r.fate, REASONS[r.reason].fate, `${label}: fate`);
        assert.equal(r.source, 'loopback', `${label}: source`);
        assert.ok(r.status < 500, `${label}: recorded status ${r.status}`);
        if (r.status === 200) assert.ok(r.fate === 'dropped' || r.reason === 'echo', `${label}: 200 with ${r.fate}/${r.reason}`);
      }
      // Each answer the gateway gave names the status and reason of one of these records.
      const unmatched = [...fresh];
      answer.statuses.forEach((status, k) => {
        if (!answer.gatewayReasons[k]) return; // Node's own answer
        const at = unmatched.findIndex((r) => r.status === status && r.reason === answer.gatewayReasons[k]);
        assert.ok(at >= 0, `${label}: answer ${status} ${answer.gatewayReasons[k]} has no record (records: ${fresh.map((r) => `${r.status} ${r.reason}`).join(', ')})`);
        unmatched.splice(at, 1);
      });
      if (c.expect?.status !== undefined) assert.deepEqual(answer.statuses, [c.expect.status], `${label}: status`);
      if (c.expect?.reason !== undefined) assert.deepEqual(fresh.map((r) => r.reason), [c.expect.reason], `${label}: reason`);
    }
    assert.equal(inbound.length, answered);
  });

  it('every raw-HTTP case in the list answers as expected (the list, not a sample)', async () => {
    for (const c of rawCases(prng(SEED))) {
      const before = inbound.length;
      const answer = await sendRaw(gw.port, c as Extract<Case, { kind: 'raw' }>);
      const fresh = inbound.slice(before);
      if (c.expect?.status !== undefined) assert.deepEqual(answer.statuses, [c.expect.status], c.name);
      if (c.expect?.reason !== undefined) assert.deepEqual(fresh.map((r) => r.reason), [c.expect.reason], c.name);
      assert.equal(fresh.length, (c as { records?: number }).records ?? answer.statuses.length, c.name);
    }
  });

  it('afterwards: still answers a valid request, Object.prototype is clean, pairing.json is intact', async () => {
    const res = await gw.post(personalMessage(FRIEND, 'still alive?', connector.serviceUrl));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'echo');
    await gw.waitForRecord((r) => r.direction === 'outbound' && r.summary.text === 'Echo: still alive?');
    assert.ok(connector.received.some((r) => (r.body as { text?: string }).text === 'Echo: still alive?'));

    assert.deepEqual(snapshotPrototypes(), protoBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);

    const file = path.join(gw.stateDir, 'pairing.json');
    assert.ok(existsSync(file), 'hostile DMs created pairing requests');
    const parsed = parsePairingFile(await fs.readFile(file, 'utf8'));
    assert.ok(parsed.ok, `pairing.json is unreadable: ${parsed.ok ? '' : parsed.why}`);
    assert.deepEqual((await fs.readdir(gw.stateDir)).filter((f) => f.includes('.corrupt-')), [], 'pairing.json was moved aside as corrupt');
    for (const r of gw.gateway.pairing.list()) {
      assert.equal(typeof r.id, 'string');
      for (const key of ['name', 'aadObjectId', 'conversationId', 'serviceUrl', 'tenantId', 'botId', 'botName'] as const) {
        // null is how Bot Framework serializers write "absent"; the gateway reads it as such.
        assert.ok(r.meta[key] === undefined || r.meta[key] === null || typeof r.meta[key] === 'string', `pairing meta.${key} is ${JSON.stringify(r.meta[key])}`);
      }
    }
    assert.ok(gw.logger.lines.every((l) => !l.message.includes('internal error')), 'no internal error was logged');
  });

  describe('with appId set (Bot Framework JWT required)', function () {
    const APP_ID = 'bbbbbbbb-1111-2222-3333-444444444444';
    let stub: BotFrameworkStub;
    let jwtGw: RunningGateway;

    before(async () => {
      stub = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: connector.serviceUrl });
      jwtGw = await startGateway({ appId: APP_ID, cloudOverrides: stub.cloudOverrides, serviceUrl: connector.serviceUrl, dmPolicy: 'open', bot: { echo: true } });
    });
    after(async () => {
      await jwtGw?.stop();
      await stub?.stop();
    });

    it('150 seeded garbage Authorization headers: each 401 with an auth-* reason, recorded', async () => {
      const rng = prng(SEED ^ 0x5eed);
      const records: ActivityRecord[] = [];
      const stop = jwtGw.gateway.on('activity', (r) => r.direction === 'inbound' && records.push(r));
      try {
        for (let i = 0; i < 150; i++) {
          const parts = () => rng.bytes(1 + rng.int(300)).toString('base64url');
          const header = rng.pick([
            () => `Bearer ${parts()}.${parts()}.${parts()}`,
            () => `Bearer ${Buffer.from(JSON.stringify({ alg: rng.pick(['none', 'RS256', 'HS256', 'ES256', '']), kid: rng.pick(['stub-key-1', 'x', '']), typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ aud: APP_ID, iss: 'https://api.botframework.com', exp: rng.int(2e9) })).toString('base64url')}.${parts()}`,
            () => `Bearer ${parts()}`,
            () => rng.pick(['Bearer', 'Bearer ', 'bearer x.y.z', 'Basic dXNlcjpwYXNz', 'Negotiate abc', '', 'Bearer a.b', 'Bearer ...', 'Bearer eyJ.eyJ.eyJ']),
            () => `Bearer ${'eyJ'.repeat(2000 + rng.int(2000))}.x.y`,
          ])();
          const before = records.length;
          const res = await jwtGw.post(personalMessage(FRIEND, 'hi', connector.serviceUrl), header === '' ? {} : { authorization: header });
          const label = `#${i} Authorization ${JSON.stringify(header.slice(0, 60))} (HOSTILE_SEED=${SEED})`;
          assert.equal(res.status, 401, `${label}: ${res.text}`);
          assert.match(res.json.reason, /^auth-/, label);
          assert.equal(records.length, before + 1, `${label}: recorded once`);
          assert.equal(records.at(-1)!.reason, res.json.reason, label);
          assert.ok(res.json.reason in REASONS, label);
        }
      } finally {
        stop();
      }
      const valid = await jwtGw.post(personalMessage(FRIEND, 'valid', connector.serviceUrl), { authorization: `Bearer ${await stub.mint()}` });
      assert.equal(valid.status, 200, valid.text);
      assert.equal(valid.headers.get('x-teams-bot-dev-reason'), 'echo');
    });
  });
});

function snapshotPrototypes(): Record<string, string[]> {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort();
  return { object: names(Object.prototype), array: names(Array.prototype), function: names(Function.prototype), string: names(String.prototype) };
}
