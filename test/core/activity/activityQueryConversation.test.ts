import { strict as assert } from 'node:assert';
import { ActivityLog } from '../../../src/core/activity/activityLog';

/** Show Activities on a Conversations row: that conversation's records, a channel's threads included. */
describe('ActivityLog query by conversation', () => {
  it('matches a conversation id, and a channel id matches every thread of that channel', () => {
    const log = new ActivityLog();
    const rec = (conversationId: string) => log.record({ direction: 'inbound', source: 'loopback', status: 200, latencyMs: 0, auth: 'local', fate: 'delivered', reason: 'dm-open', summary: { conversationId } });
    const a = rec('a:alice');
    rec('a:bob');
    const t1 = rec('19:general@thread.tacv2;messageid=1');
    const t2 = rec('19:general@thread.tacv2;messageid=2');
    rec('19:other@thread.tacv2;messageid=3');
    assert.deepEqual(log.list({ conversationId: 'a:alice' }).map((r) => r.id), [a.id]);
    assert.deepEqual(log.list({ conversationId: '19:general@thread.tacv2' }).map((r) => r.id), [t2.id, t1.id]);
    assert.equal(log.list({}).length, 5);
  });
});
