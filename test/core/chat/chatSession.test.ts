/**
 * The chat core against real @microsoft/teams.apps bots (the sample echo bot
 * and the conversation tests' card bot, separate processes on loopback)
 * behind a real gateway: every input goes through the gateway's pipeline
 * (policy, pairing, the activity log) and the bots answer through the
 * simulator connector over HTTP. Nothing here stands in for the SDK.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { ChatSession } from '../../../src/core/chat/chatSession';
import { executeActionValue } from '../../../src/core/chat/chatActivities';
import type { ChatBotActivity, ChatConversation, ChatUser } from '../../../src/core/chat/chatTypes';
import { REPO_ROOT, childEnv, freePort, spawnLines, waitFor, type LineProcess } from '../../support/cli';
import { startGateway, type RunningGateway } from '../../support/gatewayHarness';

const ECHO_BOT = path.join(REPO_ROOT, 'test', 'fixtures', 'sampleBot', 'echoBot.js');
const CARD_BOT = path.join(REPO_ROOT, 'test', 'fixtures', 'conversations', 'bots', 'cardBot.js');

const ALICE: ChatUser = { id: '29:alice', name: 'Alice Wilber', aadObjectId: 'aad-alice' };
const BOB: ChatUser = { id: '29:bob', name: 'Bob Lee', aadObjectId: 'aad-bob' };
const OPEN = { dmPolicy: 'open', allowFrom: ['*'], groupPolicy: 'open', requireMention: false };

interface Bot { process: LineProcess; url: string }

async function startBot(script: string): Promise<Bot> {
  const port = await freePort();
  const proc = spawnLines(path.basename(script), process.execPath, [script], { env: childEnv({ PORT: String(port) }) });
  await proc.waitForLine(/listening on http/, 30_000);
  return { process: proc, url: `http://127.0.0.1:${port}/api/messages` };
}

/** A session on a gateway of its own, with every bot event it emits collected in order. */
async function chat(config: Record<string, unknown>): Promise<{ gw: RunningGateway; session: ChatSession; events: ChatBotActivity[] }> {
  const gw = await startGateway(config);
  const session = new ChatSession(gw.gateway);
  const events: ChatBotActivity[] = [];
  session.on('bot', (e) => events.push(e));
  return { gw, session, events };
}

describe('chat core: ChatSession through the real gateway with real Teams SDK bots', function () {
  this.timeout(60_000);
  let echo: Bot;
  let cards: Bot;
  const running: RunningGateway[] = [];
  const open = async (config: Record<string, unknown>) => {
    const c = await chat(config);
    running.push(c.gw);
    return c;
  };

  before(async () => {
    [echo, cards] = await Promise.all([startBot(ECHO_BOT), startBot(CARD_BOT)]);
  });
  after(async () => {
    await Promise.all([echo, cards].filter(Boolean).map((b) => b.process.stop()));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((gw) => gw.stop()));
  });

  it('a plain echo round trip in a personal chat: delivered, and the reply comes back as a bot send in that conversation', async () => {
    const { session, events } = await open({ ...OPEN, bot: { url: echo.url } });
    const conv: ChatConversation = { kind: 'personal', user: ALICE };
    const result = await session.send(conv, ALICE, { type: 'message', text: 'hello there' });
    assert.equal(result.record.fate, 'delivered', result.record.detail);
    assert.equal(result.activity.type, 'message');
    assert.equal((result.activity.conversation as { id: string }).id, session.conversationId(conv));
    assert.equal(result.invokeResponse, undefined);
    const reply = await waitFor(() => events.find((e) => e.activity?.text === 'Echo: hello there'), 'the echo');
    assert.equal(reply.op, 'send');
    assert.equal(reply.conversationId, session.conversationId(conv));
    assert.equal(reply.activity!.id, reply.activityId);
    assert.match(reply.activityId, /^\d+$/);
    // The same user's personal chat keeps its id from one send to the next.
    assert.equal(session.conversationId({ kind: 'personal', user: { ...ALICE } }), session.conversationId(conv));
    assert.notEqual(session.conversationId({ kind: 'personal', user: BOB }), session.conversationId(conv));
  });

  it('Action.Execute: the adaptiveCard/action invoke reaches the bot and its refreshed card is the invokeResponse', async () => {
    const { session, events } = await open({ ...OPEN, bot: { url: cards.url } });
    const conv: ChatConversation = { kind: 'personal', user: ALICE };
    await session.send(conv, ALICE, { type: 'message', text: 'counter' });
    const card = await waitFor(() => events.find((e) => Array.isArray(e.activity?.attachments)), 'the counter card');
    const content = (card.activity!.attachments as { content: { actions: { verb: string; data: unknown }[] } }[])[0].content;
    const action = content.actions[0];
    const result = await session.send(conv, ALICE, { type: 'invoke', name: 'adaptiveCard/action', value: executeActionValue(action), replyToId: card.activityId });
    assert.equal(result.record.fate, 'delivered', result.record.detail);
    assert.equal(result.record.reason, 'invoke');
    assert.deepEqual(result.activity.value, { action: { type: 'Action.Execute', verb: 'increment', data: { count: 0 } }, trigger: 'manual' });
    assert.equal(result.activity.replyToId, card.activityId);
    assert.deepEqual(result.invokeResponse, {
      status: 200,
      body: {
        statusCode: 200,
        type: 'application/vnd.microsoft.card.adaptive',
        value: {
          type: 'AdaptiveCard', version: '1.5',
          body: [{ type: 'TextBlock', text: 'Count: 1' }],
          actions: [{ type: 'Action.Execute', title: 'Add one', verb: 'increment', data: { count: 1 } }],
        },
      },
    });
  });

  it('a group chat message without a mention is dropped as mention-required (requireMention on); with the mention it is delivered and answered', async () => {
    const { gw, session, events } = await open({ ...OPEN, requireMention: true, bot: { url: echo.url } });
    const conv: ChatConversation = { kind: 'groupChat', id: '19:team-lunch@thread.v2', name: 'Lunch', members: [ALICE, BOB] };
    const dropped = await session.send(conv, BOB, { type: 'message', text: 'anyone?' });
    assert.equal(dropped.record.fate, 'dropped');
    assert.equal(dropped.record.reason, 'mention-required');
    assert.match(dropped.record.detail!, /does not @mention the bot/);

    const delivered = await session.send(conv, BOB, { type: 'message', text: 'anyone?', mentionBot: true });
    assert.equal(delivered.record.fate, 'delivered', delivered.record.detail);
    assert.equal(delivered.activity.text, `<at>${session.bot.name}</at> anyone?`);
    assert.deepEqual(delivered.activity.entities, [{ type: 'mention', mentioned: { id: session.bot.id, name: session.bot.name }, text: `<at>${session.bot.name}</at>` }]);
    const reply = await waitFor(() => events.find((e) => e.op === 'send'), 'the echo of the mention');
    assert.equal(reply.activity!.text, `Echo: <at>${session.bot.name}</at> anyone?`);
    assert.equal(reply.conversationId, '19:team-lunch@thread.v2');
    // The dropped message was never forwarded: the only bot activity is the answer to the mention.
    await gw.gateway.stop();
    assert.deepEqual(events.map((e) => e.activity?.text), [`Echo: <at>${session.bot.name}</at> anyone?`]);
  });

  it('a new user under dmPolicy pairing gets the pairing code as a bot activity in their personal chat', async () => {
    const { gw, session, events } = await open({ dmPolicy: 'pairing', bot: { url: echo.url } });
    const conv: ChatConversation = { kind: 'personal', user: BOB };
    const result = await session.send(conv, BOB, { type: 'message', text: 'hi' });
    assert.equal(result.record.fate, 'dropped');
    assert.equal(result.record.reason, 'dm-pairing-pending');
    const code = result.record.pairingCode;
    assert.ok(code, 'the record names the pairing code');
    const notice = await waitFor(() => events.find((e) => typeof e.activity?.text === 'string' && (e.activity.text as string).includes(code)), 'the pairing code in the chat');
    assert.equal(notice.op, 'send');
    assert.equal(notice.conversationId, session.conversationId(conv));
    assert.match(notice.activityId, /^\d+$/);
    assert.equal(gw.gateway.pairing.list().find((r) => r.id === BOB.id)?.code, code);
  });

  it('typing, update and delete from the bot are captured in order with their ids, and recorded in the activity log', async () => {
    const { gw, session, events } = await open({ ...OPEN, bot: { url: cards.url } });
    const conv: ChatConversation = { kind: 'personal', user: ALICE };
    const result = await session.send(conv, ALICE, { type: 'message', text: 'progress' });
    assert.equal(result.record.fate, 'delivered', result.record.detail);
    await waitFor(() => events.some((e) => e.op === 'delete'), 'the delete');
    const [typing, working, updated, temporary, deleted] = events;
    assert.equal(events.length, 5, JSON.stringify(events));
    assert.deepEqual([typing.op, typing.activity?.type], ['send', 'typing']);
    assert.deepEqual([working.op, working.activity?.text], ['send', 'Working…']);
    assert.deepEqual([updated.op, updated.activityId, updated.activity?.text], ['update', working.activityId, 'Done']);
    assert.deepEqual([temporary.op, temporary.activity?.text], ['send', 'temporary']);
    assert.deepEqual(deleted, { conversationId: session.conversationId(conv), op: 'delete', activityId: temporary.activityId });
    assert.equal(new Set([typing.activityId, working.activityId, temporary.activityId]).size, 3);
    const details = gw.gateway.activities.list({ limit: 100 }).filter((r) => r.direction === 'outbound').map((r) => r.detail);
    const conversationId = session.conversationId(conv);
    for (const expected of [
      `the bot sent a typing indicator to simulated conversation ${conversationId}`,
      `the bot updated its message ${working.activityId} in simulated conversation ${conversationId}`,
      `the bot deleted its message ${temporary.activityId} from simulated conversation ${conversationId}`,
    ]) assert.ok(details.includes(expected), `${expected}\nin\n${details.join('\n')}`);
  });

  it('lifecycle events reach the bot and are recorded as lifecycle, from a sender the allowlists leave out: installationUpdate add (the echo bot greets), the bot added to a team, a member removed', async () => {
    const { session, events } = await open({ dmPolicy: 'allowlist', allowFrom: ['aad-someone-else'], groupPolicy: 'allowlist', bot: { url: echo.url } });
    const personal: ChatConversation = { kind: 'personal', user: ALICE };
    const install = await session.send(personal, ALICE, { type: 'installationUpdate', action: 'add' });
    assert.deepEqual([install.record.fate, install.record.reason], ['delivered', 'lifecycle']);
    assert.equal(install.activity.type, 'installationUpdate');
    assert.equal(install.activity.action, 'add');
    const greeting = await waitFor(() => events.find((e) => e.activity?.text === 'Hi! I echo what you say.'), 'the install greeting');
    assert.equal(greeting.conversationId, session.conversationId(personal));

    const team: ChatConversation = { kind: 'channel', teamId: '19:team@thread.tacv2', teamName: 'Contoso', channelId: '19:general@thread.tacv2', channelName: 'General' };
    const added = await session.send(team, ALICE, { type: 'membersAdded', members: 'bot' });
    assert.deepEqual([added.record.fate, added.record.reason], ['delivered', 'lifecycle']);
    assert.equal(added.activity.type, 'conversationUpdate');
    assert.deepEqual(added.activity.membersAdded, [{ id: session.bot.id, name: session.bot.name }]);
    assert.deepEqual(added.activity.channelData, { tenant: { id: 'simulated-tenant' }, team: { id: '19:team@thread.tacv2', name: 'Contoso' }, channel: { id: '19:general@thread.tacv2', name: 'General' }, eventType: 'teamMemberAdded' });
    const removed = await session.send(team, ALICE, { type: 'membersRemoved', members: [BOB] });
    assert.deepEqual([removed.record.fate, removed.record.reason], ['delivered', 'lifecycle']);
    assert.deepEqual(removed.activity.membersRemoved, [{ id: BOB.id, name: BOB.name, aadObjectId: BOB.aadObjectId }]);
  });

  it('a session hears only its own conversations; a channel thread counts as its channel', async () => {
    const { gw, session, events } = await open({ ...OPEN, bot: { url: echo.url } });
    const other = new ChatSession(gw.gateway);
    const heardByOther: ChatBotActivity[] = [];
    other.on('bot', (e) => heardByOther.push(e));
    const channel: ChatConversation = { kind: 'channel', teamId: '19:team@thread.tacv2', channelId: '19:dev@thread.tacv2' };
    const post = await session.send(channel, ALICE, { type: 'message', text: 'new post' });
    const thread = (post.activity.conversation as { id: string }).id;
    assert.equal(thread, `19:dev@thread.tacv2;messageid=${post.activity.id}`);
    await other.send({ kind: 'personal', user: BOB }, BOB, { type: 'message', text: 'just bob' });
    await waitFor(() => events.length >= 1 && heardByOther.length >= 1, 'both echoes');
    assert.deepEqual(events.map((e) => [e.conversationId, e.activity?.text]), [[thread, 'Echo: new post']]);
    assert.deepEqual(heardByOther.map((e) => e.activity?.text), ['Echo: just bob']);
    // A reply in the thread carries the thread's id.
    const reply = await session.send({ ...channel, threadId: String(post.activity.id) }, BOB, { type: 'message', text: 'in thread' });
    assert.equal((reply.activity.conversation as { id: string }).id, thread);
    other.dispose();
    session.dispose();
  });

  it('a Bot Framework replyToActivity (POST …/activities/:id) is a send whose activity names the message it answers', async () => {
    const { gw, session, events } = await open({ ...OPEN, bot: { url: echo.url } });
    const conv: ChatConversation = { kind: 'personal', user: ALICE };
    const sent = await session.send(conv, ALICE, { type: 'message', text: 'start' });
    await waitFor(() => events.length === 1, 'the echo');
    const url = `${gw.gateway.simulatorServiceUrl}/v3/conversations/${encodeURIComponent(session.conversationId(conv))}/activities/${sent.activity.id}`;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'a reply' }) });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    const reply = await waitFor(() => events.find((e) => e.activity?.text === 'a reply'), 'the reply');
    assert.deepEqual(reply, { conversationId: session.conversationId(conv), op: 'send', activityId: id, activity: { type: 'message', text: 'a reply', replyToId: sent.activity.id, id } });
  });

  it('replies that reach the simulator connector in the same millisecond each get their own id', async () => {
    const { gw, session, events } = await open({ ...OPEN, bot: { url: echo.url } });
    const conv: ChatConversation = { kind: 'personal', user: ALICE };
    await session.send(conv, ALICE, { type: 'message', text: 'start' });
    await waitFor(() => events.length === 1, 'the echo');
    // Pipelined on one connection in one write: the server parses them back to back, most within one
    // millisecond (concurrent fetches on separate connections rarely land so close together).
    const n = 64;
    const answers = await pipelinedPosts(gw.port, `/_simulator/v3/conversations/${encodeURIComponent(session.conversationId(conv))}/activities`, Array.from({ length: n }, (_, i) => ({ type: 'message', text: `burst ${i}` })));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [201]);
    assert.equal(new Set(answers.map((a) => a.id)).size, n, `ids: ${answers.map((a) => a.id).join(' ')}`);
    await waitFor(() => events.length === n + 1, 'every burst reply');
    const burst = events.slice(1);
    assert.deepEqual(burst.map((e) => e.activity?.text), answers.map((_, i) => `burst ${i}`), 'captured in the order received');
    assert.deepEqual(burst.map((e) => e.activityId), answers.map((a) => a.id));
  });
});

/** POSTs each body as JSON on one keep-alive connection, all written at once (HTTP/1.1 pipelining); the answers in order. */
function pipelinedPosts(port: number, urlPath: string, bodies: unknown[]): Promise<{ status: number; id: string }[]> {
  const requests = bodies.map((b) => {
    const json = JSON.stringify(b);
    return `POST ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
  });
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(requests.join('')));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const answers = [...text.matchAll(/HTTP\/1\.1 (\d+)[^]*?\r\n\r\n(\{[^}]*\})/g)].map((m) => ({ status: Number(m[1]), id: (JSON.parse(m[2]) as { id: string }).id }));
      if (answers.length < bodies.length) return;
      socket.end();
      resolve(answers);
    });
    socket.on('error', reject);
  });
}
