/**
 * A POST to the webhook path spelled plainly is served on node:http directly
 * (webhookServer.ts, the fast path); every other spelling still goes through
 * Express. Both must answer alike: the same fate and reason, one record each,
 * the same Expect handling. Raw HTTP, so the request line is exactly as written.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { startGateway, personalMessage, type RunningGateway } from '../support/gatewayHarness';

const ALICE = { id: '29:alice', name: 'Alice', aadObjectId: '11111111-1111-4111-8111-111111111111' };
const SERVICE_URL = 'http://127.0.0.1:9/';

/** Sends one request on its own connection; resolves with the status line's code, the reason header and the body. */
function raw(port: number, requestTarget: string, body: string, extraHeaders: string[] = []): Promise<{ status: number; reason: string | undefined; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      // A 100 Continue may come first: the last response is the answer.
      const answer = text.split(/(?=HTTP\/1\.1 \d{3} )/).filter((r) => r.startsWith('HTTP/1.1 ')).pop() ?? '';
      const [head, ...rest] = answer.split('\r\n\r\n');
      resolve({ status: Number(answer.slice(9, 12)), reason: /x-teams-bot-dev-reason: ([\w-]+)/i.exec(head)?.[1], head, body: rest.join('\r\n\r\n') });
    });
    const bytes = Buffer.from(body);
    socket.write([
      `POST ${requestTarget} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Content-Type: application/json', `Content-Length: ${bytes.length}`,
      'Connection: close', ...extraHeaders, '', '',
    ].join('\r\n'));
    socket.end(bytes);
  });
}

describe('webhook POST fast path and Express answer alike', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  before(async () => {
    gw = await startGateway({ dmPolicy: 'open', bot: { echo: true }, webhook: { path: '/bot', maxBodyBytes: 4096 } });
  });
  after(async () => {
    await gw.stop();
  });

  const message = (text: string) => JSON.stringify(personalMessage(ALICE, text, SERVICE_URL));
  const recordsFor = (text: string) => gw.gateway.activities.list({ limit: 1000 }).filter((r) => r.direction === 'inbound' && r.summary.text === text);

  const spellings: [string, (port: number) => string][] = [
    ['plain path (fast path)', () => '/bot'],
    ['trailing slash (fast path)', () => '/bot/'],
    ['with a query string (fast path)', () => '/bot?x=1&y=%20'],
    ['absolute-form request target (Express)', (port) => `http://127.0.0.1:${port}/bot`],
    ['a fragment after the query (Express)', () => '/bot?x=1#frag'],
    // Last: the warning about the legacy path is logged once, so the others check it was not logged for them.
    ['the legacy path (fast path)', () => '/api/messages'],
  ];
  const legacyWarned = () => gw.logger.lines.some((l) => l.message.includes('legacy path'));
  for (const [name, target] of spellings) {
    it(`${name}: delivered to the echo bot, recorded once`, async () => {
      const text = `hello via ${name}`;
      const res = await raw(gw.port, target(gw.port), message(text));
      assert.equal(res.status, 200, res.body);
      assert.equal(res.reason, 'echo');
      assert.equal(recordsFor(text).length, 1);
      assert.equal(legacyWarned(), name.startsWith('the legacy path'), 'the legacy-path warning is for /api/messages only');
    });
  }

  it('answers carry a Content-Length, not chunked framing, on the fast path, through Express and for a refusal', async () => {
    for (const [target, body] of [['/bot', message('framing fast')], [`http://127.0.0.1:${gw.port}/bot`, message('framing express')], ['/bot', '{"type": "message",']]) {
      const res = await raw(gw.port, target, body);
      assert.doesNotMatch(res.head, /^transfer-encoding:/im, res.head);
      assert.equal(Number(/^content-length: (\d+)/im.exec(res.head)?.[1]), Buffer.byteLength(res.body), res.head);
    }
  });

  it('Expect: 100-continue gets its 100 and then the answer; another Expect is handled like any request, not 417', async () => {
    const a = await raw(gw.port, '/bot', message('expect continue'), ['Expect: 100-continue']);
    assert.equal(a.reason, 'echo');
    const b = await raw(gw.port, '/bot', message('expect other'), ['Expect: something-else']);
    assert.equal(b.status, 200);
    assert.equal(b.reason, 'echo');
    assert.equal(recordsFor('expect other').length, 1);
  });

  it('the body limit and malformed JSON on the fast path: 413 body-too-large and 400 malformed-json, recorded', async () => {
    const big = await raw(gw.port, '/bot', JSON.stringify({ type: 'message', text: 'x'.repeat(5000) }));
    assert.equal(big.status, 413);
    assert.equal(big.reason, 'body-too-large');
    const bad = await raw(gw.port, '/bot', '{"type": "message",');
    assert.equal(bad.status, 400);
    assert.equal(bad.reason, 'malformed-json');
    const reasons = gw.gateway.activities.list({ limit: 1000 }).map((r) => r.reason);
    assert.ok(reasons.includes('body-too-large') && reasons.includes('malformed-json'), reasons.join(', '));
  });

  it('a browser POST to the plain path is refused before the body is judged (403 browser-request), even when too large', async () => {
    const res = await raw(gw.port, '/bot', 'x'.repeat(5000), ['Origin: https://evil.example', 'Sec-Fetch-Site: cross-site']);
    assert.equal(res.status, 403);
    assert.equal(res.reason, 'browser-request');
  });
});
