/**
 * The one builder of Teams-shaped activities (chat panel and Simulate
 * Incoming Message): each input as Teams sends it, and the ids it hands out.
 */
import * as assert from 'node:assert/strict';
import { buildChatActivity, chatEnvironment, conversationIdOf, executeActionValue, taskModuleValue } from '../../../src/core/chat/chatActivities';
import type { ChatConversation, ChatUser } from '../../../src/core/chat/chatTypes';
import { nextMessageId } from '../../../src/core/chat/messageIds';

const ENV = chatEnvironment({ appId: 'app-1', tenantId: 'tenant-1' }, 'http://127.0.0.1:3978/_simulator');
const ALICE: ChatUser = { id: '29:alice', name: 'Alice', aadObjectId: 'aad-alice' };
const BOB: ChatUser = { id: '29:bob', name: 'Bob' };
const PERSONAL: ChatConversation = { kind: 'personal', user: ALICE };
const CHANNEL: ChatConversation = { kind: 'channel', teamId: '19:team@thread.tacv2', channelId: '19:chan@thread.tacv2' };

describe('chat core: chatActivities builds activities as Teams sends them', () => {
  it('the envelope: the app\'s bot account ("28:" + appId), the tenant, the simulator serviceUrl, msteams', () => {
    const a = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'message', text: 'hi' });
    assert.deepEqual(a.recipient, { id: '28:app-1', name: 'Bot' });
    assert.deepEqual(a.from, { id: '29:alice', name: 'Alice', aadObjectId: 'aad-alice' });
    assert.deepEqual(a.conversation, { id: 'a:simulated-29:alice', conversationType: 'personal', tenantId: 'tenant-1' });
    assert.deepEqual(a.channelData, { tenant: { id: 'tenant-1' } });
    assert.equal(a.serviceUrl, 'http://127.0.0.1:3978/_simulator');
    assert.equal(a.channelId, 'msteams');
    assert.match(a.id!, /^\d+$/);
  });

  it('mentions: the bot and users as <at>Name</at> in the text (in front unless typed) plus one mention entity each', () => {
    const a = buildChatActivity(ENV, { kind: 'groupChat', id: '19:g@thread.v2', members: [ALICE, BOB] }, ALICE, { type: 'message', text: 'ask <at>Bob</at> please', mentionBot: true, mentions: [BOB] });
    assert.equal(a.text, '<at>Bot</at> ask <at>Bob</at> please');
    assert.deepEqual(a.entities, [
      { type: 'mention', mentioned: { id: '28:app-1', name: 'Bot' }, text: '<at>Bot</at>' },
      { type: 'mention', mentioned: { id: '29:bob', name: 'Bob' }, text: '<at>Bob</at>' },
    ]);
    assert.deepEqual(a.conversation, { id: '19:g@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: 'tenant-1' });
  });

  it('channels: a new post names its own thread, a reply (threadId) or a card action (replyToId) names an existing one, lifecycle names the channel', () => {
    const post = buildChatActivity(ENV, CHANNEL, ALICE, { type: 'message', text: 'x' });
    assert.equal(post.conversation!.id, `19:chan@thread.tacv2;messageid=${post.id}`);
    assert.deepEqual(post.channelData, { tenant: { id: 'tenant-1' }, team: { id: '19:team@thread.tacv2', name: 'Simulated team' }, channel: { id: '19:chan@thread.tacv2', name: 'General' } });
    assert.equal(buildChatActivity(ENV, { ...CHANNEL, threadId: '42' }, ALICE, { type: 'message', text: 'x' }).conversation!.id, '19:chan@thread.tacv2;messageid=42');
    assert.equal(buildChatActivity(ENV, CHANNEL, ALICE, { type: 'invoke', name: 'adaptiveCard/action', value: {}, replyToId: '77' }).conversation!.id, '19:chan@thread.tacv2;messageid=77');
    assert.equal(buildChatActivity(ENV, CHANNEL, ALICE, { type: 'membersAdded', members: 'bot' }).conversation!.id, '19:chan@thread.tacv2');
    assert.equal(conversationIdOf(CHANNEL), '19:chan@thread.tacv2');
  });

  it('Action.Submit, invokes, reactions, edits and deletes', () => {
    const submit = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'submit', value: { choice: 'tea' }, replyToId: '5' });
    assert.deepEqual([submit.type, submit.text, submit.value, submit.replyToId, submit.channelData?.postBack], ['message', undefined, { choice: 'tea' }, '5', true]);
    // messageBack: Teams sends the button's hidden text with its value.
    const back = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'submit', text: 'show more', value: { page: 2 } });
    assert.deepEqual([back.type, back.text, back.value, back.channelData?.postBack], ['message', 'show more', { page: 2 }, true]);
    const fetch = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'invoke', name: 'task/fetch', value: taskModuleValue({ opendialogtype: 'x' }) });
    assert.deepEqual([fetch.type, fetch.name, fetch.value], ['invoke', 'task/fetch', { data: { opendialogtype: 'x' }, context: { theme: 'default' } }]);
    assert.deepEqual(executeActionValue({ verb: 'go', data: { a: 1 }, title: 'Go' } as { verb: string; data: unknown }), { action: { type: 'Action.Execute', verb: 'go', data: { a: 1 } }, trigger: 'manual' });
    const like = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'reaction', reactionType: 'like', replyToId: '9', action: 'add' });
    assert.deepEqual([like.type, like.replyToId, like.reactionsAdded], ['messageReaction', '9', [{ type: 'like' }]]);
    const unlike = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'reaction', reactionType: 'like', replyToId: '9', action: 'remove' });
    assert.deepEqual([unlike.reactionsRemoved, unlike.reactionsAdded], [[{ type: 'like' }], undefined]);
    const edit = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'messageEdited', messageId: '12', text: 'fixed' });
    assert.deepEqual([edit.type, edit.id, edit.text, edit.channelData?.eventType], ['messageUpdate', '12', 'fixed', 'editMessage']);
    const del = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'messageDeleted', messageId: '12' });
    assert.deepEqual([del.type, del.id, del.channelData?.eventType], ['messageDelete', '12', 'softDeleteMessage']);
    const install = buildChatActivity(ENV, PERSONAL, ALICE, { type: 'installationUpdate', action: 'remove' });
    assert.deepEqual([install.type, install.action], ['installationUpdate', 'remove']);
  });

  it('message ids never repeat, however many are taken within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => nextMessageId());
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1])), 'increasing');
  });
});
