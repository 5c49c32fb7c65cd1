// Prints the README's table of explained Entra ID errors from src/core/credentials/entraErrors.ts, so the two never disagree.
// Usage: node --import tsx scripts/entraErrorTable.ts [--write]   (--write updates README.md in place)
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { explainedEntraErrors } from '../src/core/credentials/entraErrors';

export function entraErrorTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = explainedEntraErrors().map((e) => `| \`${e.code}\` | ${cell(e.explanation)} | ${cell(e.fix)} |`);
  return ['| code | what it means for the bot | fix |', '|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  if (process.argv.includes('--write')) {
    const readme = path.join(__dirname, '..', 'README.md');
    const text = readFileSync(readme, 'utf8');
    writeFileSync(readme, text.replace(/(<!-- entra-errors:start -->\n)[\s\S]*?(\n<!-- entra-errors:end -->)/, (_m, a: string, b: string) => `${a}${entraErrorTable()}${b}`));
  } else {
    process.stdout.write(`${entraErrorTable()}\n`);
  }
}
