import * as assert from 'node:assert/strict';
import type { ActivityRecord } from '../../../src/core/activity/activityRecord';
import { conversationFromRecords } from '../../../src/core/conversationTest/fromRecords';
import { parseConversationTest } from '../../../src/core/conversationTest/conversationFile';

function rec(id: string, time: string, over: Partial<ActivityRecord>): ActivityRecord {
  return {
    id, time, direction: 'inbound', source: 'loopback', status: 200, latencyMs: 1, auth: 'local', fate: 'delivered', reason: 'dm-open', detail: '',
    summary: { conversationId: 'a:1' }, ...over,
  };
}

describe('conversation tests: a test from the activity log', () => {
  it('keeps what reached the bot, oldest first, as steps with nothing recorded yet; a valid test file', () => {
    const test = conversationFromRecords([
      rec('03', '2026-11-21T08:00:03.000Z', { activity: { type: 'invoke', name: 'adaptiveCard/action', value: { action: { verb: 'confirm' } } } }),
      rec('01', '2026-11-21T08:00:01.000Z', { activity: { type: 'message', text: 'card' } }),
      rec('02', '2026-11-21T08:00:02.000Z', { direction: 'outbound', source: 'simulated', reason: 'sent', activity: { type: 'message', text: 'the bot\'s reply' } }),
      rec('00', '2026-11-21T08:00:00.000Z', { fate: 'dropped', reason: 'dm-pairing-pending', activity: { type: 'message', text: 'before the approval' } }),
      rec('04', '2026-11-21T08:00:04.000Z', { fate: 'rejected', reason: 'malformed-json', activity: undefined }),
    ], 'conversation with Alice');
    assert.deepEqual(test, {
      name: 'conversation with Alice',
      steps: [
        { inbound: { type: 'message', text: 'card' } },
        { inbound: { type: 'invoke', name: 'adaptiveCard/action', value: { action: { verb: 'confirm' } } } },
      ],
    });
    assert.deepEqual(parseConversationTest(JSON.parse(JSON.stringify(test)), 'x'), test);
  });
});
