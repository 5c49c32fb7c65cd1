/**
 * `teams-bot-dev conversations` and `teams-bot-dev send`, run as the built
 * CLI process against a state dir with stored conversations and the fake Bot
 * Connector (local mode: loopback serviceUrls, no token).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector';
import type { ConversationReferenceEntry } from '../../src/core/conversations/conversationStore';

describe('CLI: conversations and send', function () {
  this.timeout(120_000);
  let dir: string;
  let stateDir: string;
  let configFile: string;
  let connector: FakeConnector;

  const alice = (serviceUrl: string): ConversationReferenceEntry => ({
    id: 'a:alice', kind: 'personal', serviceUrl, tenantId: 'tenant-1',
    bot: { id: '28:bot', name: 'DevBot' }, user: { id: '29:alice', name: 'Alice Wilber', aadObjectId: 'aaaa' },
    lastActivityAt: new Date(Date.now() - 120_000).toISOString(), lastRecordId: '0000000001-000',
  });
  const channel = (serviceUrl: string): ConversationReferenceEntry => ({
    id: '19:general@thread.tacv2', kind: 'channel', serviceUrl, tenantId: 'tenant-1', bot: { id: '28:bot' },
    team: { id: '19:team', name: 'Contoso' }, channel: { id: '19:general@thread.tacv2', name: 'General' },
    lastActivityAt: new Date(Date.now() - 3600_000).toISOString(), lastRecordId: '0000000000-000',
  });

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-cli-conv-'));
    stateDir = path.join(dir, '.teams-bot');
    configFile = path.join(dir, 'teams-bot.config.json');
    await fs.writeFile(configFile, '{ "dmPolicy": "open" }\n');
    connector = await startFakeConnector();
  });
  afterEach(async () => {
    await connector.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli([...args, '--config', configFile, '--state-dir', stateDir], { cwd: dir });
  const store = async (list: ConversationReferenceEntry[]) => {
    await fs.mkdir(stateDir, { recursive: true });
    await fs.writeFile(path.join(stateDir, 'conversations.json'), JSON.stringify({ version: 1, conversations: list }));
  };

  it('conversations with nothing stored says so and creates nothing', async () => {
    const r = await cli('conversations');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No conversations stored in .* yet/);
    await assert.rejects(fs.stat(stateDir), { code: 'ENOENT' });
  });

  it('conversations lists who and where, last activity first; --json prints the stored references', async () => {
    const stored = [alice(connector.serviceUrl), channel(connector.serviceUrl)];
    await store(stored);
    const r = await cli('conversations');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^KIND\s+WHO\s+CONVERSATION ID\s+LAST ACTIVITY$/);
    assert.match(lines[1], /^personal\s+Alice Wilber\s+a:alice\s+2m ago$/);
    assert.match(lines[2], /^channel\s+Contoso › General\s+19:general@thread\.tacv2\s+1h ago$/);
    const json = await cli('conversations', '--json');
    assert.deepEqual(JSON.parse(json.stdout), stored);
  });

  it('a corrupt conversations.json is one sentence and exit 1; nothing is moved', async () => {
    await fs.mkdir(stateDir, { recursive: true });
    await fs.writeFile(path.join(stateDir, 'conversations.json'), 'nope');
    const r = await cli('conversations');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: .*conversations\.json is unreadable \(not valid JSON/);
    assert.deepEqual(await fs.readdir(stateDir), ['conversations.json']);
  });

  it('send: the message goes to the stored conversation and is recorded in the activity log', async () => {
    await store([alice(connector.serviceUrl)]);
    const r = await cli('send', 'a:alice', 'Deploy finished');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sent to Alice Wilber \(personal a:alice\) as the bot: HTTP 201, message id activity-1\.$/m);
    assert.match(r.stdout, /^Recorded in .*activities\.jsonl\.$/m);
    assert.equal(connector.received.length, 1);
    assert.equal(connector.received[0].conversationId, 'a:alice');
    assert.equal((connector.received[0].body as { text: string }).text, 'Deploy finished');
    const log = JSON.parse((await cli('activities', '--json')).stdout) as { direction: string; reason: string; detail: string }[];
    assert.equal(log.length, 1);
    assert.equal(log[0].direction, 'outbound');
    assert.equal(log[0].reason, 'sent');
    assert.equal(log[0].detail, 'proactive message sent to a:alice');
    await assert.rejects(fs.stat(path.join(stateDir, 'gateway.lock')), { code: 'ENOENT' }, 'the state dir is given back');
  });

  it('send: a 403 BotNotInConversationRoster is exit 1 with the explanation, and recorded as failed', async () => {
    await store([alice(connector.serviceUrl)]);
    connector.setMode({ kind: 'fail', status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } });
    const r = await cli('send', 'a:alice', 'hello?');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Not sent to Alice Wilber \(personal a:alice\) \(send-failed\): The Bot Connector answered HTTP 403: BotNotInConversationRoster The bot is not part of the conversation roster\. .*the app was removed from that chat or team/);
    assert.match(r.stdout, /^Recorded in /m);
    const log = JSON.parse((await cli('activities', '--json')).stdout) as { fate: string; reason: string; status: number }[];
    assert.deepEqual(log.map((l) => [l.fate, l.reason, l.status]), [['failed', 'send-failed', 403]]);
  });

  it('five sends at once: each sent and recorded in the activity log exactly once (a send holds the state dir only for a moment)', async () => {
    await store([alice(connector.serviceUrl)]);
    const texts = Array.from({ length: 5 }, (_, i) => `concurrent ${i}`);
    const results = await Promise.all(texts.map((t) => cli('send', 'a:alice', t)));
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Recorded in .*activities\.jsonl\.$/m);
    }
    assert.deepEqual(connector.received.map((c) => (c.body as { text: string }).text).sort(), texts);
    const log = JSON.parse((await cli('activities', '--json')).stdout) as { direction: string; reason: string; summary: { text?: string } }[];
    assert.deepEqual(log.map((l) => l.summary.text).sort(), texts);
    await assert.rejects(fs.stat(path.join(stateDir, 'gateway.lock')), { code: 'ENOENT' }, 'the state dir is given back');
  });

  it('send while a gateway holds the state dir: sent, not written to its log, and the output says so', async () => {
    await store([alice(connector.serviceUrl)]);
    // A live holder: this test process stands in for a running `serve`.
    await fs.writeFile(path.join(stateDir, 'gateway.lock'), JSON.stringify({ pid: process.pid, hostname: os.hostname(), port: 3978, startedAt: new Date().toISOString(), token: 'held-by-test' }));
    const r = await cli('send', 'a:alice', 'while serving');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sent to Alice Wilber/m);
    assert.match(r.stdout, new RegExp(`^Not recorded in the activity log: the gateway running as pid ${process.pid} on port 3978 owns .*activities\\.jsonl, and a second writer would interleave it`, 'm'));
    assert.equal(connector.received.length, 1);
    await assert.rejects(fs.stat(path.join(stateDir, 'activities.jsonl')), { code: 'ENOENT' });
  });

  it('send: a name with control characters is shown, not obeyed', async () => {
    await store([{ ...alice(connector.serviceUrl), user: { id: '29:alice', name: 'Alice\u001b[2J\nWilber' } }]);
    const r = await cli('send', 'a:alice', 'hi');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sent to Alice\\u001b\[2J Wilber \(personal a:alice\)/m);
    assert.doesNotMatch(r.stdout, /\u001b/);
  });

  it('send with an empty message (an unset shell variable) is exit 1 saying so; nothing is sent or recorded', async () => {
    await store([alice(connector.serviceUrl)]);
    const r = await cli('send', 'a:alice', '  ');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: The message is empty: give the text to send/);
    assert.equal(connector.received.length, 0);
    await assert.rejects(fs.stat(path.join(stateDir, 'activities.jsonl')), { code: 'ENOENT' });
  });

  it('send to a conversation that is not stored is exit 1 naming `conversations`; nothing is sent', async () => {
    await store([alice(connector.serviceUrl)]);
    const r = await cli('send', 'a:bob', 'hi');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No stored conversation a:bob in .*conversations\.json: `teams-bot-dev conversations` lists/);
    assert.equal(connector.requestCount(), 0);
  });
});
