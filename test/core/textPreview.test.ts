import { strict as assert } from 'node:assert';
import { previewText } from '../../src/core/textPreview';

describe('previewText: toast and row previews', () => {
  it('keeps short text as it is', () => {
    assert.equal(previewText('Echo: hi'), 'Echo: hi');
  });

  it('cuts long text at a word boundary with an ellipsis, never mid-word', () => {
    const text = 'You are not approved yet. Your pairing code is 7KQ2M9XD: ask the owner of this bot to approve it, and you are notified here.';
    const p = previewText(text, 80);
    assert.ok(p.endsWith('…'), p);
    assert.ok(p.length <= 81, p);
    const head = p.slice(0, -1);
    assert.ok(text.startsWith(head), p);
    // The character after the cut in the original is a space or punctuation: a whole word was kept.
    assert.match(text.charAt(head.length), /[\s,.:;]/, p);
    assert.equal(p, 'You are not approved yet. Your pairing code is 7KQ2M9XD: ask the owner of this…');
  });

  it('shows only the first non-empty line, marking that more follows', () => {
    assert.equal(previewText('\nfirst line\nsecond line'), 'first line…');
  });

  it('a single word longer than the limit is cut rather than dropped', () => {
    assert.equal(previewText('x'.repeat(100), 10), `${'x'.repeat(10)}…`);
  });
});
