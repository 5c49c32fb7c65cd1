/**
 * Mocha global setup (.mocharc.json "require"): builds dist/ once per test run,
 * before any test, so the CLI and end-to-end suites test the current sources and
 * never a dist/cli.js left from an earlier build. Outside any test or hook, so a
 * slow build on a busy machine cannot trip a test's timeout. requireBuiltCli()
 * remembers the build for the rest of the process; a run without this setup
 * (mocha --no-config) builds on the first call instead.
 */
import { requireBuiltCli } from './cli';

export function mochaGlobalSetup(): void {
  requireBuiltCli();
}
