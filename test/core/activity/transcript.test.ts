import * as assert from 'node:assert/strict';
import type { ActivityRecord } from '../../../src/core/activity/activityRecord';
import { toTranscript } from '../../../src/core/activity/transcript';

function rec(over: Partial<ActivityRecord> & Pick<ActivityRecord, 'id' | 'time' | 'direction'>): ActivityRecord {
  return {
    source: 'tunnel',
    status: 200,
    latencyMs: 5,
    auth: over.direction === 'outbound' ? 'outbound' : 'jwt-valid',
    fate: 'delivered',
    reason: over.direction === 'outbound' ? 'sent' : 'dm-open',
    summary: { senderId: '29:alice', senderName: 'Alice', conversationId: 'a:personal' },
    ...over,
  };
}

describe('toTranscript', () => {
  const inbound = rec({
    id: '01J0000000000200000',
    time: '2025-03-01T10:00:02.000Z',
    direction: 'inbound',
    activity: {
      type: 'message',
      id: '1741000000000',
      timestamp: '2025-03-01T10:00:01.900Z',
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      from: { id: '29:alice', name: 'Alice', aadObjectId: 'aad-1' },
      recipient: { id: '28:bot', name: 'Echo' },
      conversation: { id: 'a:personal', conversationType: 'personal', tenantId: 't1' },
      text: 'hi bot',
      channelData: { tenant: { id: 't1' } },
    },
  });
  const outbound = rec({
    id: '01J0000000000300000',
    time: '2025-03-01T10:00:03.000Z',
    direction: 'outbound',
    // As the gateway sent it to the Bot Connector: no id or timestamp yet.
    activity: { type: 'message', from: { id: '28:bot', name: 'Echo' }, recipient: { id: '29:alice' }, conversation: { id: 'a:personal' }, text: 'Your pairing code is ABCD-EFGH' },
  });
  const malformed = rec({ id: '01J0000000000100000', time: '2025-03-01T10:00:00.000Z', direction: 'inbound', fate: 'rejected', reason: 'malformed-json', status: 400 });
  const bare = rec({ id: '01J0000000000400000', time: '2025-03-01T10:00:04.000Z', direction: 'outbound', activity: { type: 'typing' } });

  it('writes a JSON array of activities, oldest first, skipping records without one', () => {
    const text = toTranscript([bare, outbound, malformed, inbound]);
    assert.ok(text.endsWith(']\n'));
    const activities = JSON.parse(text) as Record<string, unknown>[];
    assert.ok(Array.isArray(activities));
    assert.deepEqual(activities.map((a) => a.type), ['message', 'message', 'typing']);
    assert.deepEqual(activities.map((a) => a.text), ['hi bot', 'Your pairing code is ABCD-EFGH', undefined]);
  });

  it('keeps inbound activities as received and marks who is the user and who the bot', () => {
    const [first] = JSON.parse(toTranscript([inbound])) as Record<string, unknown>[];
    assert.deepEqual(first, {
      ...inbound.activity,
      from: { id: '29:alice', name: 'Alice', aadObjectId: 'aad-1', role: 'user' },
      recipient: { id: '28:bot', name: 'Echo', role: 'bot' },
    });
  });

  it('fills id and timestamp of sent activities from the record, with roles reversed', () => {
    const [, second] = JSON.parse(toTranscript([inbound, outbound])) as Record<string, unknown>[];
    assert.deepEqual(second, {
      type: 'message',
      id: '01J0000000000300000',
      timestamp: '2025-03-01T10:00:03.000Z',
      from: { id: '28:bot', name: 'Echo', role: 'bot' },
      recipient: { id: '29:alice', role: 'user' },
      conversation: { id: 'a:personal' },
      text: 'Your pairing code is ABCD-EFGH',
    });
  });

  it('supplies from, recipient and conversation when the activity lacks them', () => {
    const [only] = JSON.parse(toTranscript([bare])) as Record<string, unknown>[];
    assert.deepEqual(only, {
      type: 'typing',
      id: '01J0000000000400000',
      timestamp: '2025-03-01T10:00:04.000Z',
      from: { id: 'bot', role: 'bot' },
      recipient: { id: '29:alice', name: 'Alice', role: 'user' },
      conversation: { id: 'a:personal' },
    });
  });

  it('does not modify the records it reads', () => {
    const before = JSON.stringify(inbound);
    toTranscript([inbound]);
    assert.equal(JSON.stringify(inbound), before);
  });

  it('writes an empty array for no activities', () => {
    assert.equal(toTranscript([malformed]), '[]\n');
  });
});
