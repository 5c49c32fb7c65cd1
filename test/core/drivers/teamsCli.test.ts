import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MemoryLogger } from '../../../src/core/logger';
import { TeamsCli } from '../../../src/core/drivers/teamsCli';
import { TeamsCliError } from '../../../src/core/drivers/teamsCliErrors';
import { hasOption } from '../../../src/core/drivers/teamsCliOutput';
import { ProcessCancelledError, ProcessTimeoutError } from '../../../src/core/process/processErrors';
import { ToolNotFoundError } from '../../../src/core/process/toolNotFound';
import { envWithStandIns, readJsonLines, tempDir } from './driverTestSupport';

const APP = '0e6c1f5a-2b7d-4c3e-9a8f-1d2e3f4a5b6c';
const BOT = '3a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const TENANT = '6f1d3c52-8a4e-4b9a-9c1e-2f0a7d5e4b31';
const SECRET = 'Xq48Q~fAkeS3cretV4lue.ForTests_only-abcd';
const ENDPOINT = 'https://mybot-3978.euw.devtunnels.ms/api/messages';

interface Call {
  argv: string[];
  teamsNoInteractive: string | null;
}

describe('TeamsCli driver (against the stand-in teams)', () => {
  let dir: string;
  let cleanup: () => void;
  let logFile: string;
  let stateFile: string;
  let logger: MemoryLogger;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('teams-test-'));
    logFile = path.join(dir, 'calls.jsonl');
    stateFile = path.join(dir, 'state.json');
    logger = new MemoryLogger();
  });
  afterEach(() => cleanup());

  function cli(extra: Record<string, string> = {}) {
    return new TeamsCli({
      env: envWithStandIns({ FAKE_TEAMS_LOG: logFile, FAKE_TEAMS_STATE: stateFile, ...extra }),
      logger,
      killGraceMs: 500,
    });
  }
  function calls(): Call[] {
    return existsSync(logFile) ? (readJsonLines(logFile) as Call[]) : [];
  }

  it('reads status while logged in', async () => {
    const status = await cli().status();
    assert.equal(status.loggedIn, true);
    assert.equal(status.username, 'dev@contoso.onmicrosoft.com');
    assert.equal(status.tenantId, TENANT);
    assert.deepEqual(status.tdp, { connected: true, sideloading: { tenant: true, user: true } });
    assert.deepEqual(calls(), [{ argv: ['status', '--json'], teamsNoInteractive: '1' }]);
  });

  it('reads status while logged out from loggedIn, not from the exit code', async () => {
    const status = await cli({ FAKE_TEAMS_SCENARIO: 'loggedout' }).status();
    assert.deepEqual([status.loggedIn, status.username, status.tdp], [false, null, null]);
  });

  describe('app create', () => {
    it('returns the app and, separately, the client secret', async () => {
      const result = await cli().appCreate({ name: 'mybot', endpoint: ENDPOINT });
      assert.equal(result.clientSecret, SECRET);
      assert.deepEqual(result.app, {
        appName: 'mybot',
        teamsAppId: APP,
        botId: BOT,
        endpoint: ENDPOINT,
        installLink: `https://teams.microsoft.com/l/app/${APP}?installAppPackage=true&appTenantId=${TENANT}`,
        portalLink: `https://dev.teams.microsoft.com/apps/${APP}`,
        botLocation: 'teams-managed',
        secretSkipped: false,
        credentials: { clientId: BOT, tenantId: TENANT },
      });
      assert.deepEqual(calls(), [
        { argv: ['app', 'create', '-n', 'mybot', '-e', ENDPOINT, '--json'], teamsNoInteractive: '1' },
      ]);
    });

    it('never lets the client secret reach the log stream', async () => {
      await cli().appCreate({ name: 'mybot', endpoint: ENDPOINT });
      const logged = logger.text();
      // The output itself was logged (redacted), so the check below is not vacuous.
      assert.ok(logged.includes('teams:     "CLIENT_SECRET": "[redacted]"'));
      assert.ok(logged.includes(`teams:     "CLIENT_ID": "${BOT}",`));
      assert.equal(logged.includes(SECRET), false);
      assert.equal(logged.includes('fAkeS3cretV4lue'), false);
    });

    it('keeps a secret printed without its key out of the log and the error message', async () => {
      const other = 'Ab12Q~differentSecretValue0123456789-_.xy';
      await assert.rejects(cli({ FAKE_TEAMS_SCENARIO: 'secret-in-error', FAKE_TEAMS_SECRET: other }).appCreate({ name: 'mybot' }), (err: unknown) => {
        assert.ok(err instanceof TeamsCliError);
        assert.equal(err.code, 'CLI_FAILED');
        assert.equal(
          err.message,
          'The Teams CLI failed (exit code 1): Error: Teams app import failed; the generated password [redacted] was not saved. Run the same `teams` command in a terminal to see the full output.',
        );
        return true;
      });
      assert.ok(logger.text().includes('teams (stderr): Error: Teams app import failed; the generated password [redacted] was not saved'));
      assert.equal(logger.text().includes('differentSecretValue'), false);
    });

    it('passes --env and --no-secret, and returns no secret then', async () => {
      const envFile = path.join(dir, '.env');
      const result = await cli().appCreate({ name: 'mybot', credentialsFile: envFile, noSecret: true });
      assert.equal(result.clientSecret, undefined);
      assert.equal(result.app.credentialsFile, envFile);
      assert.equal(result.app.secretSkipped, true);
      assert.equal(readFileSync(envFile, 'utf8'), `CLIENT_ID=${BOT}\nTENANT_ID=${TENANT}\n`);
      assert.deepEqual(calls()[0].argv, ['app', 'create', '-n', 'mybot', '--env', envFile, '--no-secret', '--json']);
    });

    it('maps the error envelope to TeamsCliError', async () => {
      await assert.rejects(cli({ FAKE_TEAMS_SCENARIO: 'loggedout' }).appCreate({ name: 'mybot' }), (err: unknown) => {
        assert.ok(err instanceof TeamsCliError);
        assert.equal(err.code, 'AUTH_REQUIRED');
        assert.equal(err.cliMessage, 'Not logged in.');
        assert.equal(err.suggestion, 'Run `teams login` first.');
        assert.equal(err.exitCode, 1);
        assert.equal(err.isAuthRequired, true);
        assert.equal(err.message, 'Not logged in. Run `teams login` first.');
        return true;
      });
    });

    it('reports the CLI validation of the endpoint', async () => {
      await assert.rejects(cli().appCreate({ name: 'mybot', endpoint: 'http://insecure.example.com/api/messages' }), {
        name: 'TeamsCliError',
        code: 'VALIDATION_FORMAT',
        message: 'Endpoint must use HTTPS.',
      });
    });
  });

  describe('app update', () => {
    it('sends the new endpoint and reads the result', async () => {
      const result = await cli().appUpdate(APP, { endpoint: 'https://newid-3978.usw2.devtunnels.ms/api/messages' });
      assert.deepEqual(result, {
        teamsAppId: APP,
        botId: BOT,
        validDomains: ['mybot-3978.euw.devtunnels.ms', '*.botframework.com', 'newid-3978.usw2.devtunnels.ms'],
        updated: { endpoint: 'https://newid-3978.usw2.devtunnels.ms/api/messages', version: '1.0.1' },
        needsReinstall: true,
      });
      assert.deepEqual(calls(), [
        {
          argv: ['app', 'update', APP, '--endpoint', 'https://newid-3978.usw2.devtunnels.ms/api/messages', '--json'],
          teamsNoInteractive: '1',
        },
      ]);
    });

    it('is visible to a later app get (stand-in state)', async () => {
      const teams = cli();
      await teams.appUpdate(APP, { endpoint: 'https://other-3978.euw.devtunnels.ms/api/messages' });
      assert.equal((await teams.appGet(APP)).endpoint, 'https://other-3978.euw.devtunnels.ms/api/messages');
    });

    it('raises AUTH_TOKEN_FAILED as an auth problem', async () => {
      await assert.rejects(cli({ FAKE_TEAMS_SCENARIO: 'token-failed' }).appUpdate(APP, { endpoint: ENDPOINT }), (err: unknown) => {
        assert.ok(err instanceof TeamsCliError);
        assert.deepEqual([err.code, err.isAuthRequired, err.message], ['AUTH_TOKEN_FAILED', true, 'Failed to get token. Try `teams login` again.']);
        return true;
      });
    });

    it('refuses an app id that the CLI would read as an option', async () => {
      await assert.rejects(cli().appUpdate('--json', { endpoint: ENDPOINT }), { name: 'TeamsCliError', code: 'INVALID_ARGUMENT' });
      assert.deepEqual(calls(), []);
    });
  });

  it('gets the install link through app get --json', async () => {
    assert.equal(
      await cli().installLink(APP),
      `https://teams.microsoft.com/l/app/${APP}?installAppPackage=true&appTenantId=${TENANT}`,
    );
    assert.deepEqual(calls()[0].argv, ['app', 'get', APP, '--json']);
  });

  it('runs the doctor and reads its checks', async () => {
    const report = await cli({ FAKE_TEAMS_SCENARIO: 'doctor-failing' }).doctor(APP);
    assert.equal(report.appName, 'mybot');
    assert.deepEqual(report.summary, { total: 13, pass: 9, fail: 1, warn: 1, info: 2 });
    assert.deepEqual(
      report.checks.filter((c) => c.status === 'fail' || c.status === 'warn'),
      [
        { category: 'Bot Registration', label: 'Endpoint unreachable', status: 'warn', detail: 'timeout or network error' },
        { category: 'AAD App', label: '1 expired secret', status: 'fail' },
      ],
    );
  });

  it('turns a failure without the envelope into CLI_FAILED, quoting stderr', async () => {
    await assert.rejects(cli({ FAKE_TEAMS_SCENARIO: 'crash' }).status(), {
      name: 'TeamsCliError',
      code: 'CLI_FAILED',
      message:
        'The Teams CLI failed (exit code 1): at node:internal/deps/undici/undici:13502:13. Run the same `teams` command in a terminal to see the full output.',
    });
  });

  it('turns unreadable output into UNREADABLE_OUTPUT', async () => {
    await assert.rejects(cli({ FAKE_TEAMS_SCENARIO: 'garbage' }).doctor(APP), { name: 'TeamsCliError', code: 'UNREADABLE_OUTPUT' });
  });

  it('ignores stderr warnings around good output', async () => {
    assert.equal((await cli({ FAKE_TEAMS_SCENARIO: 'libsecret-warning' }).status()).loggedIn, true);
    assert.ok(logger.text().includes('teams (stderr): Warning: libsecret not found'));
  });

  it('times out and cancels a hanging CLI', async () => {
    await assert.rejects(cli({ FAKE_TEAMS_SCENARIO: 'hang' }).status({ timeoutMs: 300 }), ProcessTimeoutError);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(cli({ FAKE_TEAMS_SCENARIO: 'hang' }).doctor(APP, { signal: controller.signal }), ProcessCancelledError);
  });

  it('describes commands with --help --json', async () => {
    const update = await cli().help(['app', 'update']);
    assert.equal(update.name, 'update');
    assert.equal(hasOption(update, '--endpoint'), true);
    assert.deepEqual(calls()[0].argv, ['app', 'update', '--help', '--json']);
  });

  it('reads the version', async () => {
    assert.equal(await cli().version(), '3.0.3');
  });

  it('exports the interactive login command instead of running it', () => {
    assert.deepEqual(new TeamsCli().loginCommand(), { command: 'teams', args: ['login'], env: {} });
    assert.deepEqual(new TeamsCli({ executable: '/usr/bin/node', executableArgs: ['/x/teams.js'] }).loginCommand({ deviceCode: true }), {
      command: '/usr/bin/node',
      args: ['/x/teams.js', 'login', '--device-code'],
      env: {},
    });
    assert.deepEqual(calls(), []);
  });

  it('raises ToolNotFoundError when teams is not installed', async () => {
    await assert.rejects(new TeamsCli({ env: { PATH: dir } }).status(), ToolNotFoundError);
  });
});
