/**
 * Runs the Restricted Mode tests (test/extension/suite/restrictedMode.test.ts)
 * in a real VS Code whose folder is NOT trusted: workspace trust on, no
 * startup prompt (test/vscode-host/vscodeServer.ts, workspaceTrust). The other
 * suites run with trust off, so there every folder is trusted and these tests
 * are pending. Expects `npm run build` and `node esbuild.mjs --tests` to have run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSuite } from '../vscode-host/runTests';

const repo = path.resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  const entry = path.join(repo, 'out', 'test', 'extension', 'index.js');
  for (const file of [path.join(repo, 'dist', 'extension.js'), entry]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(repo, file)} is missing: run \`npm run build && node esbuild.mjs --tests\` first.`);
  }
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tbd-untrusted-ws-'));
  try {
    return await runSuite({
      extensionDevelopmentPath: repo,
      extensionTestsPath: entry,
      workspacePath: workspace,
      resultsFile: path.join(repo, 'test-results', 'restricted', 'results.json'),
      timeoutMs: 5 * 60_000,
      workspaceTrust: true,
      env: { TEAMS_BOT_DEV_EXPECT_UNTRUSTED: '1', TEAMS_BOT_DEV_TEST_GREP: 'Restricted Mode' },
      settings: { 'teamsBot.notifications': 'errors' },
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
