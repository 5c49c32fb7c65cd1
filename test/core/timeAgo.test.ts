import { strict as assert } from 'node:assert';
import { ago } from '../../src/core/timeAgo';

describe('timeAgo', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const at = (seconds: number) => new Date(now - seconds * 1000).toISOString();
  it('says how long ago, in the largest whole unit', () => {
    assert.deepEqual([0, 9, 10, 59, 60, 3599, 3600, 86399, 86400, 3 * 86400].map((s) => ago(at(s), now)), [
      'just now', 'just now', '10s ago', '59s ago', '1m ago', '59m ago', '1h ago', '23h ago', '1d ago', '3d ago',
    ]);
  });
  it('treats a time in the future (clock skew) as just now', () => {
    assert.equal(ago(at(-30), now), 'just now');
  });
});
