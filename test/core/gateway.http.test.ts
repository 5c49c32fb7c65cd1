import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { startGateway, personalMessage, startRecordingBot, type RunningGateway, type RecordingBot } from '../support/gatewayHarness';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector';
import { startBotFrameworkStub, type BotFrameworkStub } from '../support/botFrameworkStub';

const CAROL = { id: '29:carol', name: 'Carol Tester', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000c0c0' };
const APP_ID = 'bbbbbbbb-1111-2222-3333-444444444444';

describe('gateway over HTTP: local mode (no appId)', function () {
  let gw: RunningGateway;
  let connector: FakeConnector;
  let bot: RecordingBot;

  beforeEach(async () => {
    connector = await startFakeConnector();
    bot = await startRecordingBot();
  });
  afterEach(async () => {
    await gw?.stop();
    await connector.stop();
    await bot.stop();
  });

  it('an unpaired DM gets a non-empty 200 naming the reason, the exact log line, a persisted request, and ONE pairing reply', async () => {
    gw = await startGateway({ bot: { url: bot.url } });
    const first = await gw.post(personalMessage(CAROL, 'hello', connector.serviceUrl));
    assert.equal(first.status, 200);
    assert.equal(first.json.status, 'dropped');
    assert.equal(first.json.reason, 'dm-pairing-pending');
    assert.equal(first.headers.get('x-teams-bot-dev-reason'), 'dm-pairing-pending');
    const request = gw.gateway.pairing.getBySender(CAROL.id)!;
    assert.match(request.code, /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    assert.ok(gw.logger.lines.some((l) => l.level === 'info' && l.message === `[msteams] pairing request sender=29:carol code=${request.code}`));

    await gw.waitForRecord((r) => r.direction === 'outbound' && r.reason === 'sent');
    await gw.post(personalMessage(CAROL, 'hello again', connector.serviceUrl));
    const again = gw.gateway.pairing.getBySender(CAROL.id)!;
    assert.equal(again.code, request.code, 'a repeat message keeps the code');
    assert.equal(again.meta.count, 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(connector.received.length, 1, 'the code is sent once per request, not per message');
    const reply = connector.received[0];
    assert.equal(reply.conversationId, `a:personal-${CAROL.id}`);
    assert.equal((reply.body as any).type, 'message');
    assert.match((reply.body as any).text, new RegExp(`pairing code is \\*\\*${request.code}\\*\\*`));
    assert.equal(reply.authorization, undefined, 'local mode sends no token');
    assert.equal(bot.requests.length, 0, 'nothing reached the bot');

    const onDisk = JSON.parse(await fs.readFile(path.join(gw.stateDir, 'pairing.json'), 'utf8'));
    assert.equal(onDisk.version, 1);
    assert.equal(onDisk.requests[0].code, request.code);
    assert.equal(onDisk.requests[0].meta.aadObjectId, CAROL.aadObjectId);
  });

  it('after approval the next message is forwarded to the bot and the sender is told; the approval lives in the state dir, not the config', async () => {
    gw = await startGateway({ bot: { url: bot.url } });
    const configBefore = await fs.readFile(gw.configFile, 'utf8');
    await gw.post(personalMessage(CAROL, 'hello', connector.serviceUrl));
    const code = gw.gateway.pairing.getBySender(CAROL.id)!.code;
    const result = await gw.gateway.approve(code.toLowerCase());
    assert.equal(result.entry, CAROL.aadObjectId);
    assert.equal(result.notice.sent, true);
    assert.equal(await fs.readFile(gw.configFile, 'utf8'), configBefore, 'a pairing approval does not touch the config');
    const store = JSON.parse(await fs.readFile(path.join(gw.stateDir, 'allowFrom.json'), 'utf8'));
    assert.deepEqual(store.allowFrom, [CAROL.aadObjectId]);
    assert.equal(store.senders[0].name, CAROL.name);
    assert.equal(store.senders[0].code, code);
    const res = await gw.post(personalMessage(CAROL, 'now?', connector.serviceUrl));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'dm-allowlisted');
    assert.equal(bot.requests.length, 1);
    assert.equal(bot.requests[0].body.text, 'now?');
    assert.ok(connector.received.some((r) => /are approved/.test((r.body as any).text)));
  });

  it('traffic with proxy headers (a tunnel) is not local: 401 not-local', async () => {
    gw = await startGateway({ bot: { url: bot.url }, dmPolicy: 'open' });
    const res = await gw.post(personalMessage(CAROL, 'hi', connector.serviceUrl), { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(res.status, 401);
    assert.equal(res.json.reason, 'not-local');
    const record = await gw.waitForRecord((r) => r.reason === 'not-local');
    assert.equal(record.source, 'tunnel');
    assert.equal(bot.requests.length, 0);
  });

  it('rejects oversized bodies with 413, malformed JSON and non-activities with 400, and records each', async () => {
    gw = await startGateway({ bot: { url: bot.url }, webhook: { maxBodyBytes: 2048 } });
    const big = await gw.post(personalMessage(CAROL, 'x'.repeat(5000), connector.serviceUrl));
    assert.equal(big.status, 413);
    assert.equal(big.json.reason, 'body-too-large');
    const bad = await gw.post('{"type": "message",');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.reason, 'malformed-json');
    const notActivity = await gw.post('[1,2,3]');
    assert.equal(notActivity.json.reason, 'not-an-activity');
    const reasons = gw.gateway.activities.list().map((r) => r.reason);
    assert.deepEqual(reasons.slice(0, 3), ['not-an-activity', 'malformed-json', 'body-too-large']);
  });

  it('forwards the raw request and relays an invoke response (status and body)', async () => {
    bot.respond = ({ body }) => body.type === 'invoke' ? { status: 200, body: { status: 200, body: { task: { type: 'message', value: 'ok' } } } } : { status: 200, body: {} };
    gw = await startGateway({ bot: { url: bot.url }, dmPolicy: 'open' });
    const invoke = personalMessage(CAROL, '', connector.serviceUrl, { type: 'invoke', name: 'task/fetch', value: { data: 1 } });
    const res = await gw.post(invoke, { 'x-custom': 'kept' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 200, body: { task: { type: 'message', value: 'ok' } } });
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'invoke');
    assert.equal(bot.requests[0].headers['x-custom'], 'kept');
    assert.deepEqual(bot.requests[0].body, invoke);
    const record = await gw.waitForRecord((r) => r.reason === 'invoke');
    assert.deepEqual(record.botResponse, { status: 200, body: { status: 200, body: { task: { type: 'message', value: 'ok' } } } });
  });

  it('bot down → 502 bot-unreachable; bot slow → 504 bot-timeout; never a hang', async () => {
    const url = bot.url;
    await bot.stop();
    gw = await startGateway({ bot: { url, timeoutMs: 300 }, dmPolicy: 'open' });
    const down = await gw.post(personalMessage(CAROL, 'hi', connector.serviceUrl));
    assert.equal(down.status, 502);
    assert.equal(down.json.reason, 'bot-unreachable');
    assert.match(down.json.detail, /ECONNREFUSED/);
    await gw.stop();

    // The bot would answer only after the test's own timeout: a gateway that waited for it fails the test.
    bot = await startRecordingBot(() => ({ status: 200, body: {}, delayMs: 60_000 }));
    gw = await startGateway({ bot: { url: bot.url, timeoutMs: 300 }, dmPolicy: 'open' });
    const slow = await gw.post(personalMessage(CAROL, 'hi', connector.serviceUrl));
    assert.equal(slow.status, 504);
    assert.equal(slow.json.reason, 'bot-timeout');
  });

  it('a bot 5xx is relayed and recorded as failed/bot-error', async () => {
    bot.respond = () => ({ status: 500, body: { error: 'boom' } });
    gw = await startGateway({ bot: { url: bot.url }, dmPolicy: 'open' });
    const res = await gw.post(personalMessage(CAROL, 'hi', connector.serviceUrl));
    assert.equal(res.status, 500);
    assert.deepEqual(res.json, { error: 'boom' });
    const record = await gw.waitForRecord((r) => r.reason === 'bot-error');
    assert.equal(record.fate, 'failed');
  });

  it('no bot configured → 502 no-bot with a sentence that says what to set', async () => {
    gw = await startGateway({ dmPolicy: 'open' });
    const res = await gw.post(personalMessage(CAROL, 'hi', connector.serviceUrl));
    assert.equal(res.status, 502);
    assert.equal(res.json.reason, 'no-bot');
    assert.match(res.json.detail, /bot\.url.*bot\.echo/);
  });

  it('the echo bot answers through the connector', async () => {
    gw = await startGateway({ bot: { echo: true }, dmPolicy: 'open' });
    const res = await gw.post(personalMessage(CAROL, 'ping', connector.serviceUrl));
    assert.equal(res.status, 200);
    await gw.waitForRecord((r) => r.direction === 'outbound' && r.reason === 'sent');
    assert.equal((connector.received[0].body as any).text, 'Echo: ping');
  });

  it('a custom path also accepts /api/messages, with one deprecation warning; other paths get 404 wrong-path', async () => {
    gw = await startGateway({ bot: { echo: true }, dmPolicy: 'open', webhook: { path: '/bot/messages' } });
    assert.ok(gw.url.endsWith('/bot/messages'));
    const legacy1 = await gw.post(personalMessage(CAROL, 'a', connector.serviceUrl), {}, '/api/messages');
    const legacy2 = await gw.post(personalMessage(CAROL, 'b', connector.serviceUrl), {}, '/api/messages');
    assert.deepEqual([legacy1.status, legacy2.status], [200, 200]);
    assert.equal(gw.logger.lines.filter((l) => /legacy path/.test(l.message)).length, 1);
    const wrong = await gw.post(personalMessage(CAROL, 'c', connector.serviceUrl), {}, '/api/other');
    assert.equal(wrong.status, 404);
    assert.equal(wrong.json.reason, 'wrong-path');
  });

  it('records carry no Authorization header or token anywhere, in memory or on disk', async () => {
    gw = await startGateway({ bot: { url: bot.url }, dmPolicy: 'open' });
    const secretToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVlLXNlY3JldA';
    await gw.post(personalMessage(CAROL, `my token is Bearer ${secretToken}`, connector.serviceUrl, { channelData: { password: 'hunter2' } }), { authorization: `Bearer ${secretToken}` });
    await gw.gateway.activities.flush();
    const disk = await fs.readFile(path.join(gw.stateDir, 'activities.jsonl'), 'utf8');
    const memory = JSON.stringify(gw.gateway.activities.list());
    for (const text of [disk, memory, gw.logger.text()]) {
      assert.ok(!text.includes(secretToken), 'token leaked');
      assert.ok(!text.includes('hunter2'), 'password leaked');
    }
    assert.equal(bot.requests[0].headers.authorization, `Bearer ${secretToken}`, 'the bot still gets the real header');
  });
});

describe('gateway over HTTP: Bot Framework JWT with the SDK validator (local JWKS)', function () {
  let stub: BotFrameworkStub;
  let connector: FakeConnector;
  let bot: RecordingBot;
  let gw: RunningGateway;

  before(async () => {
    connector = await startFakeConnector();
    stub = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: connector.serviceUrl });
    bot = await startRecordingBot();
    gw = await startGateway({ appId: APP_ID, cloudOverrides: stub.cloudOverrides, serviceUrl: connector.serviceUrl, dmPolicy: 'open', bot: { url: bot.url } });
  });
  after(async () => {
    await gw.stop();
    await stub.stop();
    await connector.stop();
    await bot.stop();
  });

  it('a valid token is delivered and the bot receives the same Authorization header', async () => {
    const token = await stub.mint();
    const res = await gw.post(personalMessage(CAROL, 'hi', connector.serviceUrl), { authorization: `Bearer ${token}` });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'dm-open');
    assert.equal(bot.requests.at(-1)!.headers.authorization, `Bearer ${token}`);
    const record = await gw.waitForRecord((r) => r.reason === 'dm-open');
    assert.equal(record.auth, 'jwt-valid');
  });

  const bad: [string, () => Promise<Record<string, string>>, string][] = [
    ['no header', async () => ({}), 'auth-missing-header'],
    ['garbage bearer', async () => ({ authorization: 'Bearer not-a-jwt' }), 'auth-malformed-token'],
    ['signed by another key', async () => ({ authorization: `Bearer ${await stub.mint({}, { key: 'untrusted' })}` }), 'auth-bad-signature'],
    ['unknown key id', async () => ({ authorization: `Bearer ${await stub.mint({}, { kid: 'nope' })}` }), 'auth-unknown-key'],
    ['wrong audience', async () => ({ authorization: `Bearer ${await stub.mint({ aud: 'some-other-bot' })}` }), 'auth-wrong-audience'],
    ['wrong issuer', async () => ({ authorization: `Bearer ${await stub.mint({ iss: 'https://evil.example.com' })}` }), 'auth-wrong-issuer'],
    ['expired', async () => ({ authorization: `Bearer ${await stub.mint({}, { expiresIn: -3600 })}` }), 'auth-expired'],
    ['serviceUrl mismatch', async () => ({ authorization: `Bearer ${await stub.mint({ serviceurl: 'https://smba.trafficmanager.net/emea/' })}` }), 'auth-serviceurl-mismatch'],
    ['signed by a key endorsed only for webchat', async () => ({ authorization: `Bearer ${await stub.mint({}, { key: 'webchat' })}` }), 'auth-key-not-endorsed'],
  ];
  for (const [name, headers, reason] of bad) {
    it(`${name} → 401 ${reason}, recorded, bot untouched`, async () => {
      const before = bot.requests.length;
      const res = await gw.post(personalMessage(CAROL, 'hi', connector.serviceUrl), await headers());
      assert.equal(res.status, 401);
      assert.equal(res.json.status, 'rejected');
      assert.equal(res.json.reason, reason, res.json.detail);
      assert.ok(res.json.detail.length > 10);
      assert.equal(bot.requests.length, before);
      const record = await gw.waitForRecord((r) => r.reason === reason);
      assert.equal(record.fate, 'rejected');
      assert.equal(record.auth, 'jwt-invalid');
    });
  }

  it('keys unreachable → 401 auth-keys-unreachable', async () => {
    // A fresh gateway, so no keys are cached yet.
    const fresh = await startGateway({ appId: APP_ID, cloudOverrides: stub.cloudOverrides, dmPolicy: 'open', bot: { url: bot.url } });
    try {
      stub.failKeys(503);
      const res = await fresh.post(personalMessage(CAROL, 'hi', connector.serviceUrl), { authorization: `Bearer ${await stub.mint()}` });
      assert.equal(res.status, 401);
      assert.equal(res.json.reason, 'auth-keys-unreachable');
    } finally {
      stub.failKeys(0);
      await fresh.stop();
    }
  });

  it('a pairing reply to a serviceUrl outside the allowed Bot Connector hosts is refused and recorded; nothing is sent', async () => {
    const pairing = await startGateway({ appId: APP_ID, cloudOverrides: stub.cloudOverrides, bot: { url: bot.url } }, { secrets: { appPassword: 'not-used' } });
    try {
      const evil = 'https://evil.example.com/teams';
      const token = await stub.mint({ serviceurl: evil });
      const before = connector.requestCount();
      const res = await pairing.post(personalMessage(CAROL, 'hi', evil), { authorization: `Bearer ${token}` });
      assert.equal(res.json.reason, 'dm-pairing-pending');
      const record = await pairing.waitForRecord((r) => r.direction === 'outbound');
      assert.equal(record.reason, 'send-refused-host');
      assert.equal(record.fate, 'failed');
      assert.match(record.detail!, /evil\.example\.com/);
      assert.equal(connector.requestCount(), before);
    } finally {
      await pairing.stop();
    }
  });
});

async function waitFor(pred: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('gateway: log lines cannot be forged by sender-controlled text', () => {
  it('a newline in a sender id or name stays inside one escaped line', async () => {
    const gw = await startGateway({ bot: { echo: true } });
    try {
      await gw.post(personalMessage({ id: '29:evil\n00:00:00.000 INFO  [msteams] delivered', name: 'x\r\ny' }, 'hi', 'http://127.0.0.1:1/x'));
      const line = gw.logger.lines.find((l) => l.message.startsWith('[msteams] pairing request'));
      assert.ok(line);
      assert.ok(!/[\r\n]/.test(line.message), line.message);
      assert.match(line.message, /sender=29:evil\\u000a00:00/);
    } finally {
      await gw.stop();
    }
  });
});

describe('gateway: F5 forwarding override', () => {
  it('setBotUrl(undefined) goes back to the file\'s bot even after a config reload', async () => {
    const gw = await startGateway({ bot: { echo: true }, dmPolicy: 'open' });
    try {
      gw.gateway.setBotUrl('http://127.0.0.1:45999/api/messages');
      assert.equal(gw.gateway.config!.bot.url, 'http://127.0.0.1:45999/api/messages');
      await fs.writeFile(gw.configFile, JSON.stringify({ bot: { echo: true }, dmPolicy: 'open', allowFrom: ['29:x'], webhook: { port: gw.port } }));
      await gw.gateway.reloadConfig();
      assert.equal(gw.gateway.config!.bot.url, 'http://127.0.0.1:45999/api/messages', 'the override survives a reload');
      assert.deepEqual(gw.gateway.config!.allowFrom, ['29:x']);
      gw.gateway.setBotUrl(undefined);
      assert.equal(gw.gateway.config!.bot.url, undefined);
      assert.equal(gw.gateway.config!.bot.echo, true);
    } finally {
      await gw.stop();
    }
  });
});
