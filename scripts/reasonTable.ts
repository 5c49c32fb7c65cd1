// Prints the README's reason table from src/core/reasons.ts, so the two never disagree.
// Usage: node --import tsx scripts/reasonTable.ts [--write]   (--write updates README.md in place)
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REASONS } from '../src/core/reasons';

export function reasonTable(): string {
  const rows = Object.entries(REASONS).map(([reason, { fate, text }]) => `| \`${reason}\` | ${fate} | ${text.replace(/\|/g, '\\|')} |`);
  return ['| reason | fate | meaning |', '|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  if (process.argv.includes('--write')) {
    const readme = path.join(__dirname, '..', 'README.md');
    const text = readFileSync(readme, 'utf8');
    writeFileSync(readme, text.replace(/(<!-- reasons:start -->\n)[\s\S]*?(\n<!-- reasons:end -->)/, (_m, a: string, b: string) => `${a}${reasonTable()}${b}`));
  } else {
    process.stdout.write(`${reasonTable()}\n`);
  }
}
