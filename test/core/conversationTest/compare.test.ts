import * as assert from 'node:assert/strict';
import { compareStep, recordableReply, DEFAULT_IGNORE } from '../../../src/core/conversationTest/compare';
import { differenceLines, failureText, stepTitle, summaryLine, textReport } from '../../../src/core/conversationTest/diffText';
import type { StepResult } from '../../../src/core/conversationTest/results';

const card = (text: string) => ({
  contentType: 'application/vnd.microsoft.card.adaptive',
  content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text }], actions: [{ type: 'Action.Execute', verb: 'confirm', data: { item: 'coffee' } }] },
});

/** A reply as the bot sends it: the envelope (ids, time, who and where) differs on every run. */
function sent(over: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    id: `sim-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    serviceUrl: 'http://127.0.0.1:40123/_simulator',
    replyToId: 'm-1',
    from: { id: '28:bot', name: 'Bot' },
    recipient: { id: '29:alice' },
    conversation: { id: 'a:1' },
    channelId: 'msteams',
    ...over,
  };
}

describe('conversation tests: the comparer', () => {
  it('ignores the envelope by default: a reply equal in what the bot said passes', () => {
    const diffs = compareStep({ replies: [{ type: 'message', text: 'Echo: hi' }] }, { replies: [sent({ text: 'Echo: hi' })] }, []);
    assert.deepEqual(diffs, []);
    for (const key of ['id', 'timestamp', 'serviceUrl', 'replyToId', 'from', 'recipient']) assert.ok(DEFAULT_IGNORE.includes(key), key);
  });

  it('reports a changed text with its path, expected and actual', () => {
    const diffs = compareStep({ replies: [{ type: 'message', text: 'Hello, Alice' }] }, { replies: [sent({ text: 'Howdy, Alice' })] }, []);
    assert.deepEqual(diffs, [{ where: 'reply 1', path: 'text', kind: 'changed', expected: 'Hello, Alice', actual: 'Howdy, Alice' }]);
  });

  it('finds a change deep inside an Adaptive Card and names the path to it', () => {
    const diffs = compareStep({ replies: [{ type: 'message', attachments: [card('1 × coffee')] }] }, { replies: [sent({ attachments: [card('1 × tea')] })] }, []);
    assert.deepEqual(diffs.map((d) => [d.where, d.path, d.expected, d.actual]), [['reply 1', 'attachments.0.content.body.0.text', '1 × coffee', '1 × tea']]);
  });

  it('counts missing and extra fields, and missing and extra replies', () => {
    const diffs = compareStep(
      { replies: [{ type: 'message', text: 'a', suggestedActions: { actions: [] } }, { type: 'message', text: 'b' }] },
      { replies: [sent({ text: 'a', entities: [{ type: 'mention', text: '<at>Alice</at>' }] })] },
      [],
    );
    assert.deepEqual(diffs.map((d) => `${d.where}|${d.path}|${d.kind}`), [
      'reply 1|suggestedActions|missing',
      'reply 1|entities|unexpected',
      'reply 2||missing',
    ]);
    const extra = compareStep({ replies: [] }, { replies: [sent({ type: 'typing' })] }, []);
    assert.deepEqual(extra, [{ where: 'reply 1', path: '', kind: 'unexpected', actual: { type: 'typing' } }]);
  });

  it('compares the invoke response when one is expected', () => {
    const expected = { replies: [], invokeResponse: { status: 200, body: { statusCode: 200, value: 'Order for coffee confirmed' } } };
    assert.deepEqual(compareStep(expected, { replies: [], invokeResponse: { status: 200, body: { statusCode: 200, value: 'Order for coffee confirmed' } } }, []), []);
    const diffs = compareStep(expected, { replies: [], invokeResponse: { status: 500 } }, []);
    assert.deepEqual(diffs.map((d) => `${d.where}|${d.path}|${d.kind}`), ['invoke response|status|changed', 'invoke response|body|missing']);
  });

  it('a file\'s ignore paths, with * for any index, leave fields out', () => {
    const expected = { replies: [{ type: 'message', attachments: [card('Ordered at 10:00')] }] };
    const actual = { replies: [sent({ attachments: [card('Ordered at 11:42')] })] };
    assert.equal(compareStep(expected, actual, []).length, 1);
    assert.deepEqual(compareStep(expected, actual, [{ ignore: ['attachments.*.content.body'] }]), []);
    // The step's overrides add to the file's.
    assert.deepEqual(compareStep(expected, actual, [{ ignore: [] }, { ignore: ['attachments.0.content.body.0.text'] }]), []);
  });

  it('a match path checks the value against a regular expression instead of the recording', () => {
    const expected = { replies: [{ type: 'message', text: 'Your ticket is T-1001' }] };
    assert.deepEqual(compareStep(expected, { replies: [sent({ text: 'Your ticket is T-2088' })] }, [{ match: { text: '^Your ticket is T-\\d+$' } }]), []);
    const diffs = compareStep(expected, { replies: [sent({ text: 'No ticket for you' })] }, [{ match: { text: '^Your ticket is T-\\d+$' } }]);
    assert.deepEqual(diffs, [{ where: 'reply 1', path: 'text', kind: 'no-match', actual: 'No ticket for you', pattern: '^Your ticket is T-\\d+$' }]);
    const gone = compareStep(expected, { replies: [sent({})] }, [{ match: { text: 'T-' } }]);
    assert.deepEqual(gone.map((d) => `${d.path}|${d.kind}`), ['text|missing']);
  });

  it('invokeResponse.* paths apply to the invoke response', () => {
    const expected = { replies: [], invokeResponse: { status: 200, body: { value: 'token 123' } } };
    const actual = { replies: [], invokeResponse: { status: 200, body: { value: 'token 456' } } };
    assert.equal(compareStep(expected, actual, []).length, 1);
    assert.deepEqual(compareStep(expected, actual, [{ match: { 'invokeResponse.body.value': '^token \\d+$' } }]), []);
    assert.deepEqual(compareStep(expected, actual, [{ ignore: ['invokeResponse.body'] }]), []);
  });

  it('recordableReply keeps what the test checks and drops the envelope and the ignored paths', () => {
    const reply = sent({ text: 'hi', channelData: { feedbackLoopEnabled: true, streamId: 'abc' } });
    assert.deepEqual(recordableReply(reply, [{ ignore: ['channelData.streamId'] }]), { type: 'message', text: 'hi', channelData: { feedbackLoopEnabled: true } });
  });
});

describe('conversation tests: the diff text', () => {
  it('shows each difference as path, - expected, + actual', () => {
    assert.deepEqual(differenceLines({ where: 'reply 1', path: 'text', kind: 'changed', expected: 'Hello', actual: 'Howdy' }), [
      '    reply 1: text',
      '      - "Hello"',
      '      + "Howdy"',
    ]);
    assert.deepEqual(differenceLines({ where: 'reply 2', path: '', kind: 'missing', expected: { type: 'message', text: 'b' } }), [
      '    reply 2 (missing)',
      '      - {"type":"message","text":"b"}',
      '      + (absent)',
    ]);
    assert.deepEqual(differenceLines({ where: 'reply 1', path: 'text', kind: 'no-match', actual: 'x', pattern: '^T-\\d+$' }), [
      '    reply 1: text does not match /^T-\\d+$/',
      '      + "x"',
    ]);
  });

  it('titles a step by what was sent', () => {
    assert.equal(stepTitle(2, { type: 'message', text: 'card' }), 'step 2: message "card"');
    assert.equal(stepTitle(3, { type: 'invoke', name: 'adaptiveCard/action' }), 'step 3: invoke adaptiveCard/action');
    assert.equal(stepTitle(1, { type: 'conversationUpdate' }), 'step 1: conversationUpdate');
    assert.equal(stepTitle(4, { type: 'message', text: 'x' }, 'orders a coffee'), 'step 4: orders a coffee');
  });

  it('the report ends with the summary line, alone on its line', () => {
    const failed: StepResult = { index: 1, title: 'step 1: message "hi"', status: 'failed', problems: ['not delivered to the bot: failed (bot-unreachable): nobody there'], differences: [], durationMs: 3 };
    const passed: StepResult = { index: 2, title: 'step 2: message "x"', status: 'passed', problems: [], differences: [], durationMs: 3 };
    const text = textReport({ files: [{ file: 'a.conversation.json', name: 'a.conversation.json', steps: [failed, passed] }], passed: 1, failed: 1 });
    assert.equal(summaryLine({ passed: 1, failed: 1 }), '1 passed, 1 failed');
    assert.match(text, /\n1 passed, 1 failed\n$/);
    assert.match(text, /  FAIL step 1: message "hi"\n    not delivered to the bot: failed \(bot-unreachable\): nobody there\n  PASS step 2/);
    assert.equal(failureText(failed), '    not delivered to the bot: failed (bot-unreachable): nobody there');
  });
});
