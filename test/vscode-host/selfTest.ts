/**
 * End-to-end check of the harness: install (cached), then run the fixture
 * extension's mocha suite inside a real VS Code and exit with its code.
 *
 *   node --import tsx test/vscode-host/selfTest.ts                  # must exit 0
 *   node --import tsx test/vscode-host/selfTest.ts --expect-failure # fixture forced to fail;
 *                                                                   # exits 0 only if the harness reported non-zero
 *   node --import tsx test/vscode-host/selfTest.ts --ui             # also drives the live workbench (openWorkbench):
 *                                                                   # explorer DOM, command palette, sidebar screenshot
 *
 * TEAMS_BOT_DEV_VSCODE_HOST=electron runs the same suite with @vscode/test-electron.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ensureInstalled } from './install';
import { hostKind, runSuite } from './runTests';
import { openWorkbench, TEST_RESULTS_DIR } from './vscodeServer';

const FIXTURE = path.join(__dirname, 'fixture-extension');

async function main(): Promise<number> {
  const expectFailure = process.argv.includes('--expect-failure');
  const t0 = Date.now();
  if (hostKind() === 'server') {
    await ensureInstalled();
    console.log(`[selfTest] install check: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  const t1 = Date.now();
  const code = await runSuite({
    extensionDevelopmentPath: FIXTURE,
    extensionTestsPath: path.join(FIXTURE, 'suite', 'index.js'),
    workspacePath: FIXTURE,
    resultsFile: path.join(TEST_RESULTS_DIR, 'vscode-host', expectFailure ? 'self-test-failure.json' : 'self-test.json'),
    timeoutMs: 4 * 60_000,
    env: expectFailure ? { TEAMS_BOT_DEV_FIXTURE_FAIL: '1' } : {},
  });
  console.log(`[selfTest] run (${hostKind()}): exit ${code} in ${((Date.now() - t1) / 1000).toFixed(1)}s`);
  if (code === 0 && process.argv.includes('--ui')) await uiCheck();
  if (!expectFailure) return code;
  if (code === 0) {
    console.error('[selfTest] FAILED: the fixture was forced to fail but the harness reported exit code 0');
    return 1;
  }
  console.log(`[selfTest] ok: a failing suite is reported as exit code ${code}`);
  return 0;
}

/** The UI hook: a live workbench with the fixture loaded; read the explorer's DOM, run the command, screenshot. */
async function uiCheck(): Promise<void> {
  const t = Date.now();
  const wb = await openWorkbench({ folder: FIXTURE, extensionDevelopmentPath: FIXTURE });
  try {
    const rows = wb.page.locator('.explorer-folders-view .monaco-list-row');
    await rows.first().waitFor({ timeout: 30_000 });
    const names = await rows.allInnerTexts();
    assert.ok(names.includes('package.json'), `explorer shows ${JSON.stringify(names)}`);
    await wb.runCommand('Fixture: Hello'); // only listed if the dev extension's contributions loaded
    const shot = await wb.screenshot('vscode-host/self-test-sidebar', { selector: '.part.sidebar' });
    console.log(`[selfTest] ui: explorer ${JSON.stringify(names)}, command palette ok, ${shot} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
  } finally {
    await wb.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[selfTest] harness error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
