import { strict as assert } from 'node:assert';
import { statSync } from 'node:fs';
import { CLI_JS, requireBuiltCli, runCli } from '../support/cli';

/**
 * The CLI and end-to-end suites run dist/cli.js as a process. It must be built
 * from the sources under test by this very run (test/support/buildBeforeTests.ts,
 * or requireBuiltCli's first call), never left over from an earlier build, which
 * would test yesterday's code and pass or fail for the wrong reasons.
 */
describe('the CLI under test (dist/cli.js)', function () {
  this.timeout(5 * 60_000); // hang guard for the build on a busy machine

  it('was written by this test run, after the test process started', () => {
    requireBuiltCli();
    const { mtimeMs } = statSync(CLI_JS);
    // performance.timeOrigin is when this process started; the build takes seconds after that.
    assert.ok(mtimeMs >= performance.timeOrigin, `dist/cli.js is from ${new Date(mtimeMs).toISOString()}, before this run started at ${new Date(performance.timeOrigin).toISOString()}: a stale build`);
  });

  it('runs, and reports the version in package.json', async () => {
    const { version } = require('../../package.json') as { version: string };
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), version);
  });
});
