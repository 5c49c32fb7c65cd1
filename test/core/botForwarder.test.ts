import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { startGateway, personalMessage, type RunningGateway } from '../support/gatewayHarness';
import { MAX_BOT_ANSWER_BYTES, forwardToBot } from '../../src/core/gateway/botForwarder';
import { MAX_STORED_BODY_BYTES } from '../../src/core/activity/activityLog';

const ALICE = { id: '29:alice', name: 'Alice', aadObjectId: '11111111-1111-4111-8111-111111111111' };

/** A real bot on loopback whose answer the test chooses (headers and raw bytes). */
async function startBot(answer: (res: http.ServerResponse) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** POST without any client-side decoding: what reaches the caller byte for byte. */
function rawPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('bot answers relayed faithfully (botForwarder)', function () {
  let gw: RunningGateway | undefined;
  let bot: { url: string; stop(): Promise<void> } | undefined;
  afterEach(async () => {
    await gw?.stop();
    await bot?.stop();
    gw = bot = undefined;
  });

  async function through(answer: (res: http.ServerResponse) => void, headers: Record<string, string> = {}) {
    bot = await startBot(answer);
    gw = await startGateway({ dmPolicy: 'open', bot: { url: bot.url } });
    return rawPost(gw.url, personalMessage(ALICE, 'hi', 'http://127.0.0.1:9/'), headers);
  }

  for (const framing of ['with Content-Length', 'chunked'] as const) {
    it(`a 5 MiB answer (${framing}) is not cut short: 502 bot-answer-too-large, recorded as failed`, async () => {
      const big = Buffer.alloc(5 * 1024 * 1024, 'a');
      const res = await through((r) => {
        r.writeHead(200, framing === 'chunked' ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'content-length': big.length });
        // In pieces, as a streaming bot would send it.
        for (let i = 0; i < big.length; i += 256 * 1024) r.write(big.subarray(i, i + 256 * 1024));
        r.end();
      });
      assert.equal(res.status, 502);
      assert.equal(res.headers['x-teams-bot-dev-reason'], 'bot-answer-too-large');
      assert.equal(res.headers['x-teams-bot-dev-fate'], 'failed');
      const answer = JSON.parse(res.body.toString('utf8'));
      assert.equal(answer.reason, 'bot-answer-too-large');
      assert.match(answer.detail, new RegExp(`more than the ${MAX_BOT_ANSWER_BYTES} bytes`));
      const record = await gw!.waitForRecord((r) => r.reason === 'bot-answer-too-large');
      assert.equal(record.fate, 'failed');
      assert.equal(record.status, 502);
    });
  }

  it('an answer just under the cap (3 MiB) is relayed byte for byte with its status and Content-Type', async () => {
    const body = Buffer.from(JSON.stringify({ blob: 'b'.repeat(3 * 1024 * 1024) }));
    const res = await through((r) => {
      r.writeHead(200, { 'content-type': 'application/vnd.test+json; charset=utf-8' });
      r.end(body);
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.test+json; charset=utf-8');
    assert.equal(res.body.length, body.length);
    assert.equal(sha(res.body), sha(body));
  });

  for (const [coding, encode] of [['gzip', zlib.gzipSync], ['br', zlib.brotliCompressSync], ['deflate', zlib.deflateSync]] as const) {
    it(`a ${coding} answer keeps its Content-Encoding and bytes; the log shows it decoded`, async () => {
      const invokeResponse = { status: 200, body: { composeExtension: { type: 'result', text: 'hello '.repeat(200) } } };
      const compressed = encode(Buffer.from(JSON.stringify(invokeResponse)));
      const res = await through((r) => {
        r.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding });
        r.end(compressed);
      }, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], coding);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(sha(res.body), sha(compressed), 'the compressed bytes, untouched');
      assert.equal(res.headers['x-teams-bot-dev-fate'], 'delivered');
      const record = await gw!.waitForRecord((r) => r.direction === 'inbound' && r.fate === 'delivered');
      assert.deepEqual(record.botResponse?.body, invokeResponse);
    });
  }

  it('a gzip answer that inflates past what the log stores is relayed as sent, and not inflated on the request path beyond the log\'s cap', async () => {
    // 2 MiB of JSON that gzips to a few KB: under the relay cap, far over the log's.
    const invokeResponse = { status: 200, body: { text: 'x'.repeat(2 * 1024 * 1024) } };
    const compressed = zlib.gzipSync(Buffer.from(JSON.stringify(invokeResponse)));
    const answer = (r: http.ServerResponse) => {
      r.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      r.end(compressed);
    };
    const res = await through(answer, { 'accept-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal(sha(res.body), sha(compressed), 'the compressed bytes, untouched');
    const record = await gw!.waitForRecord((r) => r.direction === 'inbound' && r.fate === 'delivered');
    const stored = record.botResponse?.body as { _truncated?: { reason?: string } };
    assert.match(stored._truncated?.reason ?? '', new RegExp(`decodes to more than the ${MAX_STORED_BODY_BYTES} bytes the activity log stores; relayed as sent`));
    // The forwarder itself stops inflating at the log's cap.
    const direct = await forwardToBot(bot!.url, { 'content-type': 'application/json' }, Buffer.from('{}'), 10_000);
    assert.ok(direct.ok);
    assert.equal(direct.plain, 'too-large');
  });

  it('a plain answer bigger than the log stores keeps the log\'s truncation marker (its size, the start of its text)', async () => {
    const body = Buffer.from(JSON.stringify({ blob: 'b'.repeat(MAX_STORED_BODY_BYTES * 2) }));
    const res = await through((r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.end(body);
    });
    assert.equal(sha(res.body), sha(body));
    const record = await gw!.waitForRecord((r) => r.direction === 'inbound' && r.fate === 'delivered');
    const stored = record.botResponse?.body as { _truncated?: { originalBytes?: number; preview?: string } };
    assert.equal(stored._truncated?.originalBytes, body.length);
    assert.ok(stored._truncated?.preview?.startsWith('{"blob":"bbb'));
  });

  it('fetch (which decodes like any HTTP client) reads a gzip answer as the bot meant it', async () => {
    bot = await startBot((r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      r.end(zlib.gzipSync(Buffer.from(JSON.stringify({ ok: true }))));
    });
    gw = await startGateway({ dmPolicy: 'open', bot: { url: bot.url } });
    const res = await gw.post(personalMessage(ALICE, 'hi', 'http://127.0.0.1:9/'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ok: true });
  });
});
