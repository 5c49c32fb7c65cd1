/**
 * One entry for extension integration suites, whichever VS Code is at hand:
 *
 *   TEAMS_BOT_DEV_VSCODE_HOST=electron → @vscode/test-electron downloads VS Code
 *                                        desktop (developer laptops).
 *   anything else (default)            → code-server + headless chromium
 *                                        (./vscodeServer.ts; CI and this machine).
 *
 * Either way the suite sees $TEAMS_BOT_DEV_TEST_RESULTS and writes its JSON
 * results there; the promise resolves with the exit code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RESULTS_ENV, runExtensionTests, TEST_RESULTS_DIR, type RunTestsOptions } from './vscodeServer';

export type SuiteOptions = Omit<RunTestsOptions, 'onPage' | 'installExtensions'> & {
  onPage?: RunTestsOptions['onPage'];
};

export function hostKind(): 'electron' | 'server' {
  return process.env.TEAMS_BOT_DEV_VSCODE_HOST === 'electron' ? 'electron' : 'server';
}

export async function runSuite(opts: SuiteOptions): Promise<number> {
  const code = hostKind() === 'server' ? (await runExtensionTests(opts)).exitCode : await runWithElectron(opts);
  printSummary(opts, code);
  return code;
}

/** One plain "vscode: N passed, M failed" line, so a log reader sees the count without parsing JSON. */
function printSummary(opts: SuiteOptions, code: number): void {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const file = path.resolve(opts.resultsFile ?? path.join(TEST_RESULTS_DIR, 'vscode-host', 'results.json'));
  try {
    const results = JSON.parse(fs.readFileSync(file, 'utf8')) as { passes: number; failures: number };
    log(`vscode: ${results.passes} passed, ${results.failures} failed`);
  } catch {
    log(`vscode: no results were written (exit code ${code})`);
  }
}

async function runWithElectron(opts: SuiteOptions): Promise<number> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  // Loaded lazily: only developer machines that can download VS Code take this path.
  const { runTests, TestRunFailedError } = await import('@vscode/test-electron');
  const resultsFile = path.resolve(opts.resultsFile ?? path.join(TEST_RESULTS_DIR, 'vscode-host', 'results.json'));
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.rmSync(resultsFile, { force: true });

  const launchArgs = [
    ...(opts.workspacePath ? [path.resolve(opts.workspacePath)] : []),
    '--disable-extensions', // other installed extensions; the one under development still loads
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--skip-welcome',
    '--skip-release-notes',
  ];
  let exitCode: number;
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = runTests({
      version: process.env.TEAMS_BOT_DEV_VSCODE_VERSION || undefined, // default: latest stable
      extensionDevelopmentPath: path.resolve(opts.extensionDevelopmentPath),
      extensionTestsPath: path.resolve(opts.extensionTestsPath),
      launchArgs,
      extensionTestsEnv: { ...opts.env, [RESULTS_ENV]: resultsFile },
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`VS Code (electron) test run timed out after ${opts.timeoutMs} ms`)),
        opts.timeoutMs ?? 10 * 60_000,
      );
    });
    exitCode = await Promise.race([run, timeout]);
  } catch (err) {
    // runTests rejects with TestRunFailedError when VS Code exits non-zero (= failed tests).
    if (err instanceof TestRunFailedError) exitCode = err.code ?? 1;
    else throw err;
  } finally {
    if (timer) clearTimeout(timer);
  }
  if (fs.existsSync(resultsFile)) log(`[vscode-host] results (${resultsFile}):\n${fs.readFileSync(resultsFile, 'utf8').trimEnd()}`);
  else log(`[vscode-host] no results file was written at ${resultsFile}`);
  return exitCode;
}
