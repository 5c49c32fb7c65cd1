import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { startGateway, personalMessage, startRecordingBot, type RunningGateway, type RecordingBot } from '../../support/gatewayHarness';
import { startFakeConnector, type FakeConnector } from '../../support/fakeConnector';
import { startBotFrameworkStub, type BotFrameworkStub } from '../../support/botFrameworkStub';
import { Gateway } from '../../../src/core/gateway/gateway';
import type { ActivitySender } from '../../../src/core/gateway/activitySender';
import { ConnectorClient } from '../../../src/core/connector/connectorClient';
import { BotTokenProvider } from '../../../src/core/credentials/botTokenProvider';
import { resolveCloud } from '../../../src/core/auth/cloud';
import { readConversations } from '../../../src/core/conversations/conversationStore';
import { MemoryLogger } from '../../../src/core/logger';

const APP_ID = 'bbbbbbbb-1111-2222-3333-444444444444';
const ALICE = { id: '29:alice', name: 'Alice Wilber', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000a11c' };
const credential: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: 'bot-token-1', expiresOnTimestamp: Date.now() + 3600_000 }) };

/** The real Bot Connector client (allowlist, token, error explanations), with Entra replaced by a credential that answers at once. */
function connectorSender(serviceUrl: string): ActivitySender {
  const client = new ConnectorClient({
    hosts: { cloud: 'Public', appId: APP_ID, serviceUrl },
    tokens: new BotTokenProvider({ config: { appId: APP_ID, authType: 'secret', useManagedIdentity: false, cloud: 'Public' }, secrets: {}, cloud: resolveCloud({ cloud: 'Public' }), credential }),
  });
  return { send: (t, activity) => client.sendActivity({ serviceUrl: t.serviceUrl, conversationId: t.conversationId, activity, replyToId: t.replyToId }) };
}

function channelMessage(from: typeof ALICE, text: string, serviceUrl: string, thread: string): Record<string, unknown> {
  return personalMessage(from, text, serviceUrl, {
    conversation: { id: `19:general@thread.tacv2;messageid=${thread}`, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' }, team: { id: '19:team@thread.tacv2', name: 'Contoso' }, channel: { id: '19:general@thread.tacv2', name: 'General' } },
  });
}

describe('conversations over HTTP: references from real inbound requests, proactive messages through the Bot Connector client', function () {
  let connector: FakeConnector;
  let stub: BotFrameworkStub;
  let bot: RecordingBot;
  let gw: RunningGateway;

  beforeEach(async () => {
    connector = await startFakeConnector();
    stub = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: connector.serviceUrl });
    bot = await startRecordingBot();
    gw = await startGateway(
      { appId: APP_ID, cloudOverrides: stub.cloudOverrides, serviceUrl: connector.serviceUrl, dmPolicy: 'open', groupPolicy: 'open', requireMention: false, bot: { url: bot.url } },
      { sender: connectorSender(connector.serviceUrl) },
    );
  });
  afterEach(async () => {
    await gw.stop();
    await stub.stop();
    await connector.stop();
    await bot.stop();
  });

  const post = async (body: Record<string, unknown>) => gw.post(body, { authorization: `Bearer ${await stub.mint()}` });

  it('stores the references of authenticated requests (not rejected ones), keeps them across a restart', async () => {
    const changed = gw.gateway.next('conversationsChanged');
    const res = await post(personalMessage(ALICE, 'hi', connector.serviceUrl));
    assert.equal(res.status, 200, res.text);
    const list = await changed;
    assert.equal(list.length, 1);
    const alice = list[0];
    assert.equal(alice.id, `a:personal-${ALICE.id}`);
    assert.equal(alice.kind, 'personal');
    assert.equal(alice.serviceUrl, connector.serviceUrl);
    assert.equal(alice.tenantId, 'tenant-1');
    assert.deepEqual(alice.bot, { id: '28:bot-id', name: 'GatewayBot' });
    assert.deepEqual(alice.user, ALICE);
    const record = await gw.waitForRecord((r) => r.reason === 'dm-open');
    assert.equal(alice.lastRecordId, record.id);

    await post(channelMessage(ALICE, 'in the channel', connector.serviceUrl, '1700'));
    // A forged request (bad signature) names a conversation and serviceUrl of its own: never stored.
    const forged = await gw.post(personalMessage({ id: '29:mallory' }, 'hi', 'https://evil.example.com/teams'), { authorization: `Bearer ${await stub.mint({}, { key: 'untrusted' })}` });
    assert.equal(forged.status, 401);
    assert.deepEqual(gw.gateway.conversations().map((c) => c.id), ['19:general@thread.tacv2', alice.id]);
    assert.deepEqual(gw.gateway.conversations()[0].channel, { id: '19:general@thread.tacv2', name: 'General' });

    await gw.gateway.stop();
    assert.deepEqual((await readConversations(gw.stateDir)).map((c) => c.id), ['19:general@thread.tacv2', alice.id], 'flushed by stop()');
    const again = new Gateway({ configFile: gw.configFile, stateDir: gw.stateDir, logger: new MemoryLogger(), env: {}, sender: connectorSender(connector.serviceUrl) });
    await again.start();
    try {
      assert.deepEqual(again.conversations(), await readConversations(gw.stateDir));
      const sent = await again.sendProactive(alice.id, 'after a restart');
      assert.equal(sent.result.ok, true);
    } finally {
      await again.stop();
    }
  });

  it('Send Message as Bot: a proactive message with the bot token, recorded as outbound "sent"', async () => {
    await post(personalMessage(ALICE, 'hi', connector.serviceUrl));
    const conversationId = `a:personal-${ALICE.id}`;
    const { result, record } = await gw.gateway.sendProactive(conversationId, 'Your build is green');
    assert.deepEqual(result, { ok: true, status: 201, id: 'activity-1' });
    assert.equal(connector.received.length, 1);
    const got = connector.received[0];
    assert.equal(got.conversationId, conversationId);
    assert.equal(got.activityId, undefined, 'a new message, not a reply');
    assert.equal(got.authorization, 'Bearer bot-token-1');
    const body = got.body as Record<string, any>;
    assert.equal(body.type, 'message');
    assert.equal(body.text, 'Your build is green');
    assert.deepEqual(body.from, { id: '28:bot-id', name: 'GatewayBot' });
    assert.equal(body.recipient.id, ALICE.id);
    assert.equal(record.direction, 'outbound');
    assert.equal(record.reason, 'sent');
    assert.equal(record.detail, `proactive message sent to ${conversationId}`);
    assert.equal(gw.gateway.activities.get(record.id)?.id, record.id);
  });

  it('a channel gets a new post in the channel (its channel id, no thread)', async () => {
    await post(channelMessage(ALICE, 'in a thread', connector.serviceUrl, '42'));
    const { result } = await gw.gateway.sendProactive('19:general@thread.tacv2', 'hello channel');
    assert.equal(result.ok, true);
    assert.equal(connector.received[0].conversationId, '19:general@thread.tacv2');
  });

  const failures: [string, number, unknown, Record<string, string> | undefined, RegExp][] = [
    ['403 BotNotInConversationRoster', 403, { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } }, undefined, /the app was removed from that chat or team/],
    ['403 ConversationBlockedByUser', 403, { error: { code: 'ConversationBlockedByUser', message: 'User blocked the conversation with the bot.' } }, undefined, /The user blocked the bot/],
    ['404 ConversationNotFound', 404, { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } }, undefined, /Teams does not know this conversation/],
    ['429 with Retry-After', 429, { error: { code: 'Throttled', message: 'Too many requests.' } }, { 'Retry-After': '30' }, /retry after 30 s \(Retry-After\)/],
    ['401', 401, { message: 'Authorization has been denied for this request.' }, undefined, /run the Credential Check \(Teams Bot: Check Bot Credentials, or `teams-bot-dev credentials check`\)/],
  ];
  for (const [name, status, body, headers, explained] of failures) {
    it(`a ${name} is a failed send with its explanation, on the result and the record`, async () => {
      await post(personalMessage(ALICE, 'hi', connector.serviceUrl));
      connector.setMode({ kind: 'fail', status, body, headers });
      const { result, record } = await gw.gateway.sendProactive(`a:personal-${ALICE.id}`, 'ping');
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.reason, 'send-failed');
      assert.equal(result.status, status);
      assert.match(result.detail, explained);
      assert.equal(record.fate, 'failed');
      assert.equal(record.reason, 'send-failed');
      assert.equal(record.status, status);
      assert.match(record.detail!, /^proactive message not sent: The Bot Connector answered HTTP \d+/);
      assert.match(record.detail!, explained);
    });
  }

  it('an unknown conversation, or a stopped webhook, is an error saying what to do; nothing is sent', async () => {
    await assert.rejects(gw.gateway.sendProactive('a:nobody', 'hi'), /No stored conversation a:nobody: .*teams-bot-dev conversations/);
    await post(personalMessage(ALICE, 'hi', connector.serviceUrl));
    await gw.gateway.stop();
    await assert.rejects(gw.gateway.sendProactive(`a:personal-${ALICE.id}`, 'hi'), /The webhook is not running/);
    assert.equal(connector.received.length, 0);
  });

  it('concurrent requests from many conversations: each stored exactly once, with its newest record', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => ({ id: `29:user${i}`, name: `User ${i}`, aadObjectId: `00000000-0000-0000-0000-0000000000${String(i).padStart(2, '0')}` }));
    const token = await stub.mint();
    const responses = await Promise.all(Array.from({ length: 72 }, (_, n) => gw.post(personalMessage(ids[n % 12], `m${n}`, connector.serviceUrl), { authorization: `Bearer ${token}` })));
    responses.forEach((r) => assert.equal(r.status, 200, r.text));
    const list = gw.gateway.conversations();
    assert.equal(list.length, 12);
    assert.equal(new Set(list.map((c) => c.id)).size, 12);
    const inbound = gw.gateway.activities.list({ limit: 1000, direction: 'inbound' });
    for (const c of list) {
      const newest = inbound.filter((r) => r.summary.conversationId === c.id).map((r) => r.id).sort().at(-1);
      assert.equal(c.lastRecordId, newest, c.id);
    }
    await gw.gateway.stop();
    assert.deepEqual(await readConversations(gw.stateDir), list);
    const files = await fs.readdir(gw.stateDir);
    assert.ok(!files.some((f) => f.includes('conversations.json.') && f.endsWith('.tmp')), files.join(', '));
    assert.ok(files.includes('conversations.json'), path.join(gw.stateDir, 'conversations.json'));
  });
});

describe('conversations: simulated ones answer in the simulator', () => {
  let gw: RunningGateway;
  afterEach(() => gw?.stop());

  it('Send Message as Bot to a simulated conversation is captured as a simulator reply, even after the port changed', async () => {
    gw = await startGateway({ dmPolicy: 'open', bot: { echo: false } });
    await gw.gateway.simulate({ user: ALICE, kind: 'personal', text: 'hi' });
    const [conversation] = gw.gateway.conversations();
    assert.equal(conversation.simulated, true);
    // As if stored by a gateway on another port, before a restart.
    const stale = { ...conversation, serviceUrl: 'http://127.0.0.1:1/_simulator' };
    (gw.gateway.conversationStore as unknown as { entries: Map<string, unknown> }).entries.set(conversation.id, stale);
    const reply = gw.gateway.next('simulatorReply');
    const { result, record } = await gw.gateway.sendProactive(conversation.id, 'from the bot');
    assert.equal(result.ok, true);
    const got = await reply;
    assert.equal(got.conversationId, conversation.id);
    assert.equal(got.activity.text, 'from the bot');
    assert.equal(record.reason, 'sent');
  });
});

describe('conversations: stop() and a proactive message on its way', () => {
  it('stop() waits for the send, so its outbound record is in activities.jsonl when stop resolves', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const sendStarted = new Promise<void>((resolve) => (started = resolve));
    // A Bot Connector that answers only when the test says so.
    const slowSender: ActivitySender = {
      send: async () => {
        started();
        await held;
        return { ok: true, status: 201, id: 'late-1' };
      },
    };
    const gw = await startGateway({ dmPolicy: 'open', bot: { echo: false } }, { sender: slowSender });
    try {
      await gw.post(personalMessage(ALICE, 'hi', 'http://127.0.0.1:9/teams/'));
      const sending = gw.gateway.sendProactive(`a:personal-${ALICE.id}`, 'on its way');
      await sendStarted;
      const stopped = gw.gateway.stop();
      // While the send is held, stop() must not finish (a one-sided check: a slow machine can only make it pass for the wrong reason, never fail).
      const meanwhile = await Promise.race([stopped.then(() => 'stopped'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1500))]);
      release();
      await stopped;
      const onDisk = await fs.readFile(path.join(gw.stateDir, 'activities.jsonl'), 'utf8');
      const { record } = await sending;
      assert.equal(meanwhile, 'still waiting', 'stop() resolved while a proactive message was on its way');
      const ids = onDisk.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
      assert.ok(ids.includes(record.id), 'the proactive message is on disk when stop() resolves');
    } finally {
      release();
      await gw.stop();
    }
  });
});
