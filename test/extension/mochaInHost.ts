// Runs the *.test.js bundles beside an extensionTestsPath entry with mocha,
// inside VS Code's extension host. A rejection means failure. Results also go,
// as JSON, to $TEAMS_BOT_DEV_TEST_RESULTS, because under code-server mocha's
// output only reaches the browser console.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface TestResult { title: string; state: 'passed' | 'failed' | 'pending'; error: string | null; durationMs?: number }

export function runMochaInHost(dir: string, timeoutMs: number): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require('mocha');
  const Mocha = m.Mocha ?? m.default ?? m;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: timeoutMs, grep: process.env.TEAMS_BOT_DEV_TEST_GREP || undefined });
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f));
  for (const f of files) mocha.addFile(f);
  const resultsFile = process.env.TEAMS_BOT_DEV_TEST_RESULTS;
  const tests: TestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures: number) => {
      const summary = { passes: tests.filter((t) => t.state === 'passed').length, failures, pending: tests.filter((t) => t.state === 'pending').length, files: files.map((f) => path.basename(f)), tests };
      if (resultsFile) {
        fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
        fs.writeFileSync(resultsFile, `${JSON.stringify(summary, null, 2)}\n`);
      }
      console.log(`${summary.passes} passed, ${failures} failed`);
      if (files.length === 0) reject(new Error('no test files found'));
      else if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
    const text = (err: unknown) => String((err as Error)?.stack ?? err);
    runner.on('pass', (t: { fullTitle(): string; duration?: number }) => tests.push({ title: t.fullTitle(), state: 'passed', error: null, durationMs: t.duration }));
    runner.on('fail', (t: { fullTitle(): string }, err: unknown) => tests.push({ title: t.fullTitle(), state: 'failed', error: text(err) }));
    runner.on('pending', (t: { fullTitle(): string }) => tests.push({ title: t.fullTitle(), state: 'pending', error: null }));
  });
}
