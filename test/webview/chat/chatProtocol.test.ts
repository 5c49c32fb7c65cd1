import { strict as assert } from 'node:assert';
import { pageMessageProblem } from '../../../src/webview/chat/chatProtocol';

describe('Chat panel: what the panel accepts from its page', () => {
  const alice = { id: '29:alice', name: 'Alice' };
  const personal = { kind: 'personal', user: alice };

  it('the messages the page sends are accepted', () => {
    const ok: unknown[] = [
      { type: 'ready' },
      { type: 'state', state: { version: 1, savedAt: 1, convs: [], current: '', speaker: alice } },
      { type: 'cspViolation', directive: 'img-src', blocked: 'https://example.com/a.png' },
      { id: 1, method: 'conversationId', conv: personal },
      { id: 2, method: 'conversationId', conv: { kind: 'groupChat', id: '19:g@thread.v2', members: [alice] } },
      { id: 3, method: 'conversationId', conv: { kind: 'channel', teamId: '19:t', channelId: '19:t' } },
      { id: 4, method: 'send', conv: personal, from: alice, input: { type: 'message', text: 'hi', mentionBot: true } },
      { id: 5, method: 'send', conv: personal, from: alice, input: { type: 'execute', action: { verb: 'go' }, replyToId: 'a1' } },
      { id: 6, method: 'send', conv: personal, from: alice, input: { type: 'task', name: 'task/fetch', data: {} } },
      { id: 7, method: 'openUrl', url: 'https://example.com' },
      { id: 8, method: 'showRecord', recordId: 'r1' },
      { id: 9, method: 'startWebhook' },
    ];
    for (const msg of ok) assert.equal(pageMessageProblem(msg), undefined, JSON.stringify(msg));
  });

  it('anything else is refused with what is wrong: not an object, an unknown message or request, a request without its id, a malformed conversation, sender, input or link', () => {
    const refused: [unknown, RegExp][] = [
      [null, /not an object/],
      ['ready', /not an object/],
      [{ type: 'runCommand', command: 'workbench.action.terminal.new' }, /unknown message \(runCommand\)/],
      [{ id: 1, method: 'executeCommand', command: 'x' }, /unknown request \(executeCommand\)/],
      [{ method: 'startWebhook' }, /without an id/],
      [{ id: 1, method: 'send', conv: { kind: 'personal' }, from: alice, input: { type: 'message', text: 'x' } }, /personal chat without its user/],
      [{ id: 1, method: 'send', conv: { kind: 'meeting' }, from: alice, input: { type: 'message', text: 'x' } }, /unknown kind of conversation \(meeting\)/],
      [{ id: 1, method: 'send', conv: personal, from: { id: 7 }, input: { type: 'message', text: 'x' } }, /without its sender/],
      [{ id: 1, method: 'send', conv: personal, from: alice, input: { type: 'shell', text: 'x' } }, /unknown input \(shell\)/],
      [{ id: 1, method: 'send', conv: personal, from: alice, input: { type: 'message', text: { toString: 'x' } } }, /message without text/],
      [{ id: 1, method: 'openUrl', url: ['https://example.com'] }, /link without an address/],
      [{ id: 1, method: 'showRecord' }, /without a record id/],
      [{ type: 'state', state: { convs: [] } }, /state without savedAt/],
    ];
    for (const [msg, why] of refused) assert.match(pageMessageProblem(msg) ?? 'accepted', why, JSON.stringify(msg));
  });
});
