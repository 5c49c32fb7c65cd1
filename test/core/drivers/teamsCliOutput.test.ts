import { strict as assert } from 'node:assert';
import {
  findCommand,
  hasOption,
  parseAppCreate,
  parseAppGet,
  parseAppUpdate,
  parseCommandHelp,
  parseDoctor,
  parseErrorEnvelope,
  parseInstallLink,
  parseStatus,
} from '../../../src/core/drivers/teamsCliOutput';
import { fixture } from './driverTestSupport';

const APP = '0e6c1f5a-2b7d-4c3e-9a8f-1d2e3f4a5b6c';
const BOT = '3a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const TENANT = '6f1d3c52-8a4e-4b9a-9c1e-2f0a7d5e4b31';
const INSTALL = `https://teams.microsoft.com/l/app/${APP}?installAppPackage=true&appTenantId=${TENANT}`;

describe('teamsCliOutput', () => {
  it('parses status --json while logged out (recorded from the real CLI)', () => {
    assert.deepEqual(parseStatus(fixture('teams/status-logged-out.json')), {
      loggedIn: false,
      username: null,
      tenantId: null,
      userObjectId: null,
      tdp: null,
      azureCli: { installed: false, loggedIn: false, subscription: null, tenantId: null, tenantMatch: null },
    });
  });

  it('parses status --json while logged in', () => {
    assert.deepEqual(parseStatus(fixture('teams/status-logged-in.json')), {
      loggedIn: true,
      username: 'dev@contoso.onmicrosoft.com',
      tenantId: TENANT,
      userObjectId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
      tdp: { connected: true, sideloading: { tenant: true, user: false } },
      azureCli: {
        installed: true,
        loggedIn: true,
        subscription: { name: 'Visual Studio Enterprise', id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' },
        tenantId: TENANT,
        tenantMatch: true,
      },
    });
  });

  it('parses app create --json and keeps the secret out of `app`', () => {
    const { app, clientSecret } = parseAppCreate(fixture('teams/app-create.json'));
    assert.equal(clientSecret, 'Xq48Q~fAkeS3cretV4lue.ForTests_only-abcd');
    assert.deepEqual(app, {
      appName: 'mybot',
      teamsAppId: APP,
      botId: BOT,
      endpoint: 'https://mybot-3978.euw.devtunnels.ms/api/messages',
      installLink: INSTALL,
      portalLink: `https://dev.teams.microsoft.com/apps/${APP}`,
      botLocation: 'teams-managed',
      secretSkipped: false,
      credentials: { clientId: BOT, tenantId: TENANT },
    });
    assert.equal(JSON.stringify(app).includes('Q~'), false);
  });

  it('parses app create --json with a credentials file and no secret', () => {
    const result = parseAppCreate(fixture('teams/app-create-env-file.json'));
    assert.equal('clientSecret' in result, false);
    assert.equal(result.app.credentialsFile, '.env');
    assert.equal(result.app.secretSkipped, true);
    assert.equal(result.app.endpoint, null);
    assert.equal(result.app.credentials, undefined);
  });

  it('parses app update --json', () => {
    assert.deepEqual(parseAppUpdate(fixture('teams/app-update.json')), {
      teamsAppId: APP,
      botId: BOT,
      validDomains: ['*.botframework.com', 'mybot-3978.euw.devtunnels.ms'],
      updated: { endpoint: 'https://mybot-3978.euw.devtunnels.ms/api/messages', version: '1.0.1' },
      needsReinstall: true,
    });
  });

  it('parses app get --json and the plain --install-link output', () => {
    const app = parseAppGet(fixture('teams/app-get.json'));
    assert.equal(app.installLink, INSTALL);
    assert.equal(app.endpoint, 'https://mybot-3978.euw.devtunnels.ms/api/messages');
    assert.equal(app.version, '1.0.1');
    assert.equal(parseInstallLink(fixture('teams/app-get-install-link.txt')), INSTALL);
    assert.throws(() => parseInstallLink('Not logged in.'), /no install link/);
  });

  it('parses app doctor --json and recounts the summary', () => {
    const report = parseDoctor(fixture('teams/app-doctor.json'));
    assert.equal(report.appId, APP);
    assert.equal(report.appName, 'mybot');
    assert.equal(report.checks.length, 7);
    assert.deepEqual(report.checks[3], {
      category: 'Bot Registration',
      label: 'Endpoint unreachable',
      status: 'warn',
      detail: 'timeout or network error',
    });
    assert.deepEqual(report.checks[4], { category: 'AAD App', label: '1 expired secret', status: 'fail' });
    assert.deepEqual(report.summary, { total: 7, pass: 4, fail: 1, warn: 1, info: 1 });
  });

  it('reads the error envelope (recorded from the real CLI)', () => {
    assert.deepEqual(parseErrorEnvelope(fixture('teams/error-auth-required.json')), {
      code: 'AUTH_REQUIRED',
      message: 'Not logged in.',
      suggestion: 'Run `teams login` first.',
    });
    assert.deepEqual(parseErrorEnvelope(fixture('teams/error-validation-missing.json')), {
      code: 'VALIDATION_MISSING',
      message: '--json requires at least one mutation flag (--name, --endpoint, etc.).',
      suggestion: undefined,
    });
    assert.equal(parseErrorEnvelope(fixture('teams/status-logged-out.json')), undefined);
    assert.equal(parseErrorEnvelope('Not logged in.\nRun `teams login` first.'), undefined);
  });

  it('reads a help tree (recorded from the real CLI)', () => {
    const help = parseCommandHelp(fixture('teams/help-app-create.json'));
    assert.equal(help.name, 'create');
    assert.equal(hasOption(help, '--name'), true);
    assert.equal(hasOption(help, '-n'), true);
    assert.equal(hasOption(help, '--endpoint'), true);
    assert.equal(hasOption(help, '-e'), true);
    assert.equal(hasOption(help, '--json'), true);
    assert.equal(hasOption(help, '--no-secret'), true);
    assert.equal(hasOption(help, '--bogus'), false);
    assert.equal(findCommand(help, []), help);
    assert.equal(findCommand(help, ['nothing']), undefined);
  });

  it('fails clearly on output that is not the expected JSON', () => {
    assert.throws(() => parseStatus('Something that is not JSON'), /no JSON object for status/);
    assert.throws(() => parseAppCreate('{"appName":"x"}'), /no "teamsAppId"/);
  });
});
