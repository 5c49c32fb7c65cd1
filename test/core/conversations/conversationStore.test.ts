import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConversationStore, CONVERSATIONS_FILE, readConversations, referenceFrom, toConversationReference } from '../../../src/core/conversations/conversationStore';
import { ActivityLog } from '../../../src/core/activity/activityLog';
import type { ActivityRecord } from '../../../src/core/activity/activityRecord';
import { MemoryLogger } from '../../../src/core/logger';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

/** Real records, made by the activity log the gateway uses (ids and times as in production). */
const log = new ActivityLog();
function inbound(conversationId: string, opts: { auth?: ActivityRecord['auth']; fate?: ActivityRecord['fate']; kind?: string; from?: string; channelData?: Record<string, unknown> } = {}): ActivityRecord {
  const kind = opts.kind ?? 'personal';
  return log.record({
    direction: 'inbound', source: 'tunnel', status: 200, latencyMs: 1, auth: opts.auth ?? 'jwt-valid',
    fate: opts.fate ?? 'delivered', reason: opts.fate === 'rejected' ? 'auth-bad-signature' : 'dm-open', summary: {},
    activity: {
      type: 'message', id: 'm1', serviceUrl: SERVICE_URL, channelId: 'msteams',
      from: { id: opts.from ?? '29:alice', name: 'Alice Wilber', aadObjectId: 'aaaa' },
      recipient: { id: '28:bot', name: 'DevBot' },
      conversation: { id: conversationId, conversationType: kind, tenantId: 'tenant-1', ...(kind === 'personal' ? {} : { isGroup: true }) },
      channelData: opts.channelData ?? { tenant: { id: 'tenant-1' } },
    },
  });
}

describe('ConversationStore', () => {
  let dir: string;
  let logger: MemoryLogger;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-conv-'));
    logger = new MemoryLogger();
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('keeps the reference of an authenticated inbound activity: serviceUrl, id, kind, tenant, bot, user, last record', () => {
    const store = new ConversationStore();
    const record = inbound('a:alice');
    assert.equal(store.observe(record), true);
    assert.deepEqual(store.list(), [{
      id: 'a:alice', kind: 'personal', serviceUrl: SERVICE_URL, tenantId: 'tenant-1',
      bot: { id: '28:bot', name: 'DevBot' }, user: { id: '29:alice', name: 'Alice Wilber', aadObjectId: 'aaaa' },
      lastActivityAt: record.time, lastRecordId: record.id,
    }]);
    assert.deepEqual(toConversationReference(store.list()[0]), {
      bot: { id: '28:bot', name: 'DevBot' }, user: { id: '29:alice', name: 'Alice Wilber', aadObjectId: 'aaaa' },
      conversation: { id: 'a:alice', conversationType: 'personal', tenantId: 'tenant-1' }, channelId: 'msteams', serviceUrl: SERVICE_URL,
    });
  });

  it('never keeps a rejected (unauthenticated) request, a not-checked one, or an outbound send', () => {
    const store = new ConversationStore();
    assert.equal(store.observe(inbound('a:evil', { auth: 'jwt-invalid', fate: 'rejected' })), false);
    assert.equal(store.observe(inbound('a:probe', { auth: 'not-checked', fate: 'rejected' })), false);
    const out = log.record({ direction: 'outbound', source: 'gateway', status: 201, latencyMs: 1, auth: 'outbound', fate: 'delivered', reason: 'sent', summary: {}, activity: { type: 'message', serviceUrl: SERVICE_URL, conversation: { id: 'a:x' }, recipient: { id: '29:x' } } });
    assert.equal(store.observe(out), false);
    assert.deepEqual(store.list(), []);
  });

  it('a channel is one row, by its channel id, with team and channel names kept from earlier activities', () => {
    const store = new ConversationStore();
    store.observe(inbound('19:chan@thread.tacv2;messageid=111', { kind: 'channel', channelData: { team: { id: '19:team', name: 'Contoso' }, channel: { id: '19:chan@thread.tacv2', name: 'General' } } }));
    const later = inbound('19:chan@thread.tacv2;messageid=222', { kind: 'channel', channelData: { team: { id: '19:team' }, channel: { id: '19:chan@thread.tacv2' } } });
    store.observe(later);
    const list = store.list();
    assert.equal(list.length, 1);
    assert.equal(list[0].id, '19:chan@thread.tacv2');
    assert.deepEqual(list[0].team, { id: '19:team', name: 'Contoso' });
    assert.deepEqual(list[0].channel, { id: '19:chan@thread.tacv2', name: 'General' });
    assert.equal(list[0].lastRecordId, later.id);
    assert.equal(store.get('19:chan@thread.tacv2;messageid=999')?.id, '19:chan@thread.tacv2');
  });

  it('names on an activity that a newer one of the same conversation follows before anyone reads the list are kept', () => {
    // A renamed channel's conversationUpdate and the next message, both within the 250 ms no list() runs in.
    const store = new ConversationStore();
    const bare = { kind: 'channel', channelData: { team: { id: '19:team' }, channel: { id: '19:chan@thread.tacv2' } } };
    store.observe(inbound('19:chan@thread.tacv2', bare));
    store.observe(inbound('19:chan@thread.tacv2', { kind: 'channel', channelData: { team: { id: '19:team', name: 'Contoso' }, channel: { id: '19:chan@thread.tacv2', name: 'General' } } }));
    const later = inbound('19:chan@thread.tacv2;messageid=222', bare);
    store.observe(later);
    const [entry] = store.list();
    assert.deepEqual(entry.team, { id: '19:team', name: 'Contoso' });
    assert.deepEqual(entry.channel, { id: '19:chan@thread.tacv2', name: 'General' });
    assert.equal(entry.lastRecordId, later.id);
  });

  it('is bounded: the least recently active conversation goes first', () => {
    const store = new ConversationStore({ capacity: 3 });
    for (const id of ['a:1', 'a:2', 'a:3']) store.observe(inbound(id));
    store.observe(inbound('a:1')); // a:1 is active again, so a:2 is now the oldest
    store.observe(inbound('a:4'));
    assert.deepEqual(store.list().map((c) => c.id), ['a:4', 'a:1', 'a:3']);
  });

  it('announces a new conversation at once, and a busy known one coalesced: a burst of 50 messages is one more event, carrying the newest', async () => {
    const store = new ConversationStore();
    const seen: string[][] = [];
    store.on('changed', (list) => seen.push(list.map((e) => e.lastRecordId)));
    const first = inbound('a:alice');
    store.observe(first);
    assert.deepEqual(seen, [[first.id]], 'a new conversation is announced synchronously');
    let last = first;
    for (let i = 0; i < 50; i++) store.observe((last = inbound('a:alice')));
    const trailing = store.next('changed');
    assert.ok(seen.length <= 2, `${seen.length} events for one burst`);
    await (seen.length === 2 ? Promise.resolve() : trailing);
    assert.equal(seen.length, 2, 'the burst ends in exactly one more event');
    assert.deepEqual(seen[1], [last.id], 'the last event carries the newest record');
    const bob = inbound('a:bob');
    store.observe(bob);
    assert.deepEqual(seen[2], [bob.id, last.id], 'another new conversation is announced at once, even inside the interval');
  });

  it('a late record does not move a conversation back', () => {
    const store = new ConversationStore();
    const older = inbound('a:1', { from: '29:old' });
    const newer = inbound('a:1', { from: '29:new' });
    store.observe(newer);
    assert.equal(store.observe(older), false);
    assert.equal(store.list()[0].lastRecordId, newer.id);
  });

  it('survives a restart: flushed to conversations.json and read back, order and all', async () => {
    const first = new ConversationStore({ dir, logger });
    await first.load();
    for (const id of ['a:1', 'a:2', 'a:3']) first.observe(inbound(id));
    await first.flush();
    const onDisk = JSON.parse(await fs.readFile(path.join(dir, CONVERSATIONS_FILE), 'utf8'));
    assert.equal(onDisk.version, 1);
    assert.deepEqual(onDisk.conversations.map((c: { id: string }) => c.id), ['a:3', 'a:2', 'a:1']);
    const second = new ConversationStore({ dir, logger });
    await second.load();
    assert.deepEqual(second.list(), first.list());
    assert.deepEqual(await readConversations(dir), first.list());
  });

  it('debounces: a burst of updates is written once they stop, and flush() writes what is pending', async () => {
    const store = new ConversationStore({ dir, logger, debounceMs: 60_000 });
    await store.load();
    store.observe(inbound('a:1'));
    store.observe(inbound('a:2'));
    await assert.rejects(fs.readFile(path.join(dir, CONVERSATIONS_FILE)), { code: 'ENOENT' });
    await store.flush();
    assert.equal((await readConversations(dir)).length, 2);
  });

  it('a corrupt file is moved aside with the reason in the log, and the store starts empty', async () => {
    await fs.writeFile(path.join(dir, CONVERSATIONS_FILE), '{"version":1,"conversations":[{"id":');
    const store = new ConversationStore({ dir, logger });
    await store.load();
    assert.deepEqual(store.list(), []);
    const files = await fs.readdir(dir);
    const aside = files.find((f) => f.startsWith(`${CONVERSATIONS_FILE}.corrupt-`));
    assert.ok(aside, `moved aside: ${files.join(', ')}`);
    assert.equal(await fs.readFile(path.join(dir, aside!), 'utf8'), '{"version":1,"conversations":[{"id":');
    assert.match(logger.text(), /conversations\.json was unreadable \(not valid JSON: .*\); moved it to .*corrupt-/);
    assert.deepEqual(await readConversations(path.join(dir, 'none')), [], 'no file is no conversations');
    store.observe(inbound('a:1'));
    await store.flush();
    assert.equal((await readConversations(dir)).length, 1, 'the next save writes a good file');
  });

  it('readConversations says why a corrupt file cannot be read, and moves nothing', async () => {
    await fs.writeFile(path.join(dir, CONVERSATIONS_FILE), '{"version":2}');
    await assert.rejects(readConversations(dir), /conversations\.json is unreadable \(unsupported version 2\)/);
    assert.deepEqual(await fs.readdir(dir), [CONVERSATIONS_FILE]);
  });

  it('a state dir that cannot be written keeps conversations in memory and says so once', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    await fs.writeFile(blocker, 'x');
    const store = new ConversationStore({ dir: path.join(blocker, '.teams-bot'), logger, debounceMs: 0 });
    await store.load();
    for (const id of ['a:1', 'a:2', 'a:3']) {
      store.observe(inbound(id));
      await store.flush();
    }
    assert.equal(store.list().length, 3);
    const warnings = logger.lines.filter((l) => l.level === 'warn' && /kept in memory only/.test(l.message));
    assert.equal(warnings.length, 1, logger.text());
    assert.match(warnings[0].message, /cannot write .*conversations\.json \((ENOTDIR|EEXIST)\)/);
  });

  it('concurrent updates: each conversation once, the newest record wins, and the file holds exactly the final list', async () => {
    const store = new ConversationStore({ dir, logger, debounceMs: 1 });
    await store.load();
    const records = Array.from({ length: 400 }, (_, i) => inbound(`a:${i % 25}`, { from: `29:user${i}` }));
    // Delivered out of order, with writes and flushes interleaved.
    const shuffled = [...records].sort(() => Math.random() - 0.5);
    await Promise.all(shuffled.map(async (r, i) => {
      await new Promise((resolve) => setImmediate(resolve));
      store.observe(r);
      if (i % 7 === 0) await store.flush();
    }));
    await store.flush();
    const list = store.list();
    assert.equal(list.length, 25);
    assert.equal(new Set(list.map((c) => c.id)).size, 25);
    for (const c of list) {
      const newest = records.filter((r) => referenceFrom(r)!.id === c.id).at(-1)!;
      assert.equal(c.lastRecordId, newest.id, c.id);
    }
    assert.deepEqual(await readConversations(dir), list);
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
  });
});
