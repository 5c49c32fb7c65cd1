import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { reasonTable } from '../../scripts/reasonTable';

describe('README', () => {
  it('lists exactly the reasons in src/core/reasons.ts', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- reasons:start -->\n([\s\S]*?)\n<!-- reasons:end -->/.exec(readme);
    assert.ok(block, 'README has the reasons block');
    assert.equal(block[1], reasonTable(), 'regenerate it with: node --import tsx scripts/reasonTable.ts');
  });
});
