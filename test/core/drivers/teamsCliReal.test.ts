import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { TeamsCli } from '../../../src/core/drivers/teamsCli';
import { TeamsCliError } from '../../../src/core/drivers/teamsCliErrors';
import { findCommand, hasOption, type CommandHelp } from '../../../src/core/drivers/teamsCliOutput';
import { ensureTeamsCliInstalled, TEAMS_CLI_VERSION } from '../../support/teamsCliInstall';
import { tempDir } from './driverTestSupport';

/**
 * The real @microsoft/teams.cli, offline: flag discovery and the logged-out
 * answers. Not a dependency of the project (its keytar needs libsecret to
 * build): the first run installs the pinned version into .vscode-test/teams-cli/
 * (test/support/teamsCliInstall.ts, needs the npm registry once). It runs with a
 * private HOME and config dirs so it can never read or change the developer's
 * own Teams login.
 */
describe('TeamsCli driver (against the real @microsoft/teams.cli, offline)', function () {
  this.timeout(60_000);

  let pkg: { version: string };
  let home: string;
  let cleanup: () => void;
  let teams: TeamsCli;
  let tree: CommandHelp;

  before(async function () {
    // Hang guard for the one-time install (npm ci of ~120 packages; seconds when cached).
    this.timeout(10 * 60_000);
    const installed = await ensureTeamsCliInstalled();
    pkg = installed;
    ({ dir: home, cleanup } = tempDir('teams-real-home-'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      USERPROFILE: home,
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
      XDG_DATA_HOME: path.join(home, 'data'),
      XDG_STATE_HOME: path.join(home, 'state'),
      APPDATA: path.join(home, 'appdata'),
      LOCALAPPDATA: path.join(home, 'localappdata'),
    };
    // The npm bin link is not always executable (and is a .cmd shim on Windows), so node runs the script.
    teams = new TeamsCli({ executable: process.execPath, executableArgs: [installed.script], env });
    tree = await teams.help();
  });
  after(() => cleanup?.());

  it('reports its version', async () => {
    assert.equal(pkg.version, TEAMS_CLI_VERSION);
    assert.equal(await teams.version(), pkg.version);
    assert.equal(tree.version, pkg.version);
  });

  it('has the commands and flags the driver uses', () => {
    const command = (...p: string[]) => {
      const found = findCommand(tree, p);
      assert.ok(found, `teams ${p.join(' ')} exists`);
      return found;
    };
    const create = command('app', 'create');
    for (const flag of ['-n', '--name', '-e', '--endpoint', '--env', '--no-secret', '--json']) {
      assert.equal(hasOption(create, flag), true, `app create ${flag}`);
    }
    const update = command('app', 'update');
    assert.equal(hasOption(update, '--endpoint'), true);
    assert.equal(hasOption(update, '--json'), true);
    assert.deepEqual(update.arguments.map((a) => a.name), ['appId']);
    const get = command('app', 'get');
    assert.equal(hasOption(get, '--install-link'), true);
    assert.equal(hasOption(get, '--json'), true);
    assert.equal(hasOption(command('app', 'doctor'), '--json'), true);
    assert.equal(hasOption(command('status'), '--json'), true);
    assert.equal(hasOption(command('login'), '--device-code'), true);
  });

  it('answers status --json while logged out, with exit code 0', async () => {
    assert.deepEqual(await teams.status(), {
      loggedIn: false,
      username: null,
      tenantId: null,
      userObjectId: null,
      tdp: null,
      azureCli: { installed: false, loggedIn: false, subscription: null, tenantId: null, tenantMatch: null },
    });
  });

  it('answers app update with the AUTH_REQUIRED envelope while logged out', async () => {
    await assert.rejects(
      teams.appUpdate('0e6c1f5a-2b7d-4c3e-9a8f-1d2e3f4a5b6c', { endpoint: 'https://mybot-3978.euw.devtunnels.ms/api/messages' }),
      (err: unknown) => {
        assert.ok(err instanceof TeamsCliError);
        assert.equal(err.code, 'AUTH_REQUIRED');
        assert.equal(err.cliMessage, 'Not logged in.');
        assert.equal(err.suggestion, 'Run `teams login` first.');
        assert.equal(err.exitCode, 1);
        return true;
      },
    );
  });

  it('kept everything it wrote inside the private home', () => {
    // env-paths puts the config (and its token cache) under XDG_CONFIG_HOME on Linux, APPDATA on Windows, HOME on macOS.
    const candidates = [
      path.join(home, 'config', 'teams-cli'),
      path.join(home, 'appdata', 'teams-cli', 'Config'),
      path.join(home, 'Library', 'Preferences', 'teams-cli'),
    ];
    assert.ok(candidates.some((c) => existsSync(c)), 'the CLI created its config dir under the private home');
  });
});
