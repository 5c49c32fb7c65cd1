/**
 * Runs the extension's integration suite (test/extension/suite) inside a real
 * VS Code: code-server from npm here and in CI, @vscode/test-electron where
 * VS Code desktop can be downloaded (TEAMS_BOT_DEV_VSCODE_HOST=electron).
 * With --restricted it runs only the Restricted Mode tests, in a folder that is
 * NOT trusted (workspace trust on, no startup prompt: vscodeServer.ts's
 * workspaceTrust); everywhere else trust is off, every folder is trusted and
 * those tests are pending.
 * Expects `npm run build` and `node esbuild.mjs --tests` to have run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSuite } from '../vscode-host/runTests';

const repo = path.resolve(__dirname, '..', '..');
const restricted = process.argv.includes('--restricted');

async function main(): Promise<number> {
  const entry = path.join(repo, 'out', 'test', 'extension', 'index.js');
  for (const file of [path.join(repo, 'dist', 'extension.js'), entry]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(repo, file)} is missing: run \`npm run build && node esbuild.mjs --tests\` first.`);
  }
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), restricted ? 'tbd-untrusted-ws-' : 'tbd-ws-'));
  const resultsDir = path.join(repo, 'test-results');
  try {
    return await runSuite({
      extensionDevelopmentPath: repo,
      extensionTestsPath: entry,
      workspacePath: workspace,
      settings: { 'teamsBot.notifications': 'errors' },
      ...(restricted
        ? {
            resultsFile: path.join(resultsDir, 'restricted', 'results.json'),
            timeoutMs: 5 * 60_000,
            workspaceTrust: true,
            env: { TEAMS_BOT_DEV_EXPECT_UNTRUSTED: '1', TEAMS_BOT_DEV_TEST_GREP: 'Restricted Mode' },
          }
        : {
            resultsFile: path.join(resultsDir, 'extension', 'results.json'),
            // The OpenClaw suite runs a real CLI that takes seconds a call (minutes in all on a loaded machine).
            timeoutMs: 20 * 60_000,
          }),
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
