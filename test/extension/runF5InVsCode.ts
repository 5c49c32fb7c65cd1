/**
 * Runs the F5 suite (test/extension/f5) inside a real VS Code (code-server +
 * headless chromium, or test-electron; see test/vscode-host/runTests.ts), in
 * the set-up sample workspace of ./f5Workspace.ts (stand-in `devtunnel` and
 * `teams`, the real echo bot). Expects `npm run build` and
 * `node esbuild.mjs --tests` to have run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSuite } from '../vscode-host/runTests';
import { prepareF5Workspace } from './f5Workspace';

const repo = path.resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  const entry = path.join(repo, 'out', 'test', 'f5', 'index.js');
  for (const file of [path.join(repo, 'dist', 'extension.js'), entry]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(repo, file)} is missing: run \`npm run build && node esbuild.mjs --tests\` first.`);
  }
  const ws = await prepareF5Workspace();
  try {
    return await runSuite({
      extensionDevelopmentPath: repo,
      extensionTestsPath: entry,
      workspacePath: ws.workspace,
      resultsFile: path.join(repo, 'test-results', 'f5', 'results.json'),
      timeoutMs: 8 * 60_000,
      env: ws.env,
      settings: ws.settings,
    });
  } finally {
    ws.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
