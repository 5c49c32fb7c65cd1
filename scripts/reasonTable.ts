// Prints the README's reason table from src/core/reasons.ts, so the two never disagree.
// Usage: node --import tsx scripts/reasonTable.ts
import { REASONS } from '../src/core/reasons';

export function reasonTable(): string {
  const rows = Object.entries(REASONS).map(([reason, { fate, text }]) => `| \`${reason}\` | ${fate} | ${text.replace(/\|/g, '\\|')} |`);
  return ['| reason | fate | meaning |', '|---|---|---|', ...rows].join('\n');
}

if (require.main === module) process.stdout.write(`${reasonTable()}\n`);
