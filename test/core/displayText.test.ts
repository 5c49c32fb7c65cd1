import { strict as assert } from 'node:assert';
import { displayText, oneLine } from '../../src/core/displayText';
import { plural } from '../../src/core/plural';

describe('displayText: message text for a row or a tooltip', () => {
  it('shows a Teams mention as @name', () => {
    assert.equal(displayText('<at>Bot</at> hi channel'), '@Bot hi channel');
    assert.equal(displayText('hey <at>Echo Bot</at> and <at>Alice Wilber</at>!'), 'hey @Echo Bot and @Alice Wilber!');
  });

  it('drops other HTML tags, keeps words on separate lines apart, and decodes entities', () => {
    assert.equal(displayText('<p>one</p><p>two<br/>three</p>'), 'one two three');
    assert.equal(displayText('a &amp; b &lt;tag&gt; &quot;q&quot; &#39;s&#x27; caf&#233;'), `a & b <tag> "q" 's' café`);
  });

  it('leaves plain text (and text that only looks like a tag or an entity) alone', () => {
    assert.equal(displayText('2 < 3 and 5 > 4'), '2 < 3 and 5 > 4');
    assert.equal(displayText('&unknown; stays'), '&unknown; stays');
    assert.equal(displayText('  spaced\n\tout  '), 'spaced out');
  });

  it('shows control characters instead of handing them to a terminal (also ones an entity spells)', () => {
    assert.equal(oneLine('a\u001b[2Jb\u009b1m c\r\nd\u2028e\u0000'), 'a\\u001b[2Jb\\u009b1m c d e\\u0000');
    assert.equal(displayText('<b>x</b>&#27;[31m'), 'x\\u001b[31m');
  });
});

describe('plural', () => {
  it('says 1 activity and 0 or 2 activities', () => {
    assert.equal(plural(1, 'activity', 'activities'), '1 activity');
    assert.equal(plural(0, 'activity', 'activities'), '0 activities');
    assert.equal(plural(2, 'pairing request'), '2 pairing requests');
  });
});
