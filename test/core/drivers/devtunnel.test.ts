import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { MemoryLogger } from '../../../src/core/logger';
import { Devtunnel, type DevtunnelHost } from '../../../src/core/drivers/devtunnel';
import {
  DevtunnelError,
  NotLoggedInError,
  RateLimitedError,
  TunnelExistsError,
  TunnelNotFoundError,
} from '../../../src/core/drivers/devtunnelErrors';
import { ProcessCancelledError, ProcessTimeoutError } from '../../../src/core/process/processErrors';
import { ToolNotFoundError } from '../../../src/core/process/toolNotFound';
import { envWithStandIns, readJsonLines, tempDir } from './driverTestSupport';

describe('Devtunnel driver (against the stand-in devtunnel)', () => {
  let dir: string;
  let cleanup: () => void;
  let stateFile: string;
  let logFile: string;
  const hosts: DevtunnelHost[] = [];

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('devtunnel-test-'));
    stateFile = path.join(dir, 'state.json');
    logFile = path.join(dir, 'calls.jsonl');
  });

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    cleanup();
  });

  function driver(extra: Record<string, string> = {}, logger = new MemoryLogger()) {
    const env = envWithStandIns({ FAKE_DEVTUNNEL_STATE: stateFile, FAKE_DEVTUNNEL_LOG: logFile, ...extra });
    return new Devtunnel({ env, logger, killGraceMs: 500 });
  }
  function calls(): string[][] {
    return existsSync(logFile) ? readJsonLines(logFile).map((c) => (c as { argv: string[] }).argv) : [];
  }
  function track(host: DevtunnelHost): DevtunnelHost {
    hosts.push(host);
    return host;
  }
  async function setUpTunnel(dt: Devtunnel) {
    await dt.create('mybot');
    await dt.portCreate('mybot', 3978);
  }

  describe('userShow', () => {
    it('reports who is logged in, asking for JSON', async () => {
      assert.deepEqual(await driver().userShow(), {
        loggedIn: true,
        expired: false,
        username: 'dev@contoso.com',
        provider: 'microsoft',
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        status: 'Logged in',
      });
      assert.deepEqual(calls(), [['user', 'show', '--json']]);
    });

    it('reports a logged-out CLI as loggedIn: false rather than failing', async () => {
      const status = await driver({ FAKE_DEVTUNNEL_SCENARIO: 'loggedout' }).userShow();
      assert.equal(status.loggedIn, false);
      assert.equal(status.expired, false);
      assert.equal(status.status, 'Not logged in');
    });

    it('reports an expired login', async () => {
      const status = await driver({ FAKE_DEVTUNNEL_SCENARIO: 'expired' }).userShow();
      assert.deepEqual([status.loggedIn, status.expired], [false, true]);
    });

    it('falls back to the prose form on a CLI without --json', async () => {
      const status = await driver({ FAKE_DEVTUNNEL_SCENARIO: 'no-json' }).userShow();
      assert.deepEqual([status.loggedIn, status.username, status.provider], [true, 'dev@contoso.com', 'microsoft']);
      assert.deepEqual(calls(), [
        ['user', 'show', '--json'],
        ['user', 'show'],
      ]);
    });

    it('exports the interactive login command instead of running it', () => {
      const dt = new Devtunnel({ executable: '/opt/devtunnel/devtunnel' });
      assert.deepEqual(dt.loginCommand(), { command: '/opt/devtunnel/devtunnel', args: ['user', 'login'] });
      assert.deepEqual(dt.loginCommand({ provider: 'github', deviceCode: true }), {
        command: '/opt/devtunnel/devtunnel',
        args: ['user', 'login', '-g', '-d'],
      });
    });
  });

  describe('tunnel management', () => {
    it('creates a persistent tunnel that allows anonymous clients', async () => {
      const tunnel = await driver().create('mybot');
      assert.equal(tunnel.tunnelId, 'mybot.euw');
      assert.equal(tunnel.name, 'mybot');
      assert.equal(tunnel.clusterId, 'euw');
      assert.equal(tunnel.allowsAnonymous, true);
      assert.deepEqual(calls(), [['create', 'mybot', '--allow-anonymous', '--json']]);
    });

    it('maps creating an existing id to TunnelExistsError', async () => {
      const dt = driver();
      await dt.create('mybot');
      await assert.rejects(dt.create('mybot'), (err: unknown) => {
        assert.ok(err instanceof TunnelExistsError);
        assert.equal(err.tunnelId, 'mybot');
        assert.equal(err.exitCode, 1);
        assert.equal(
          err.message,
          'A dev tunnel with the id "mybot" already exists: use it as it is, delete it with `devtunnel delete mybot`, or choose another tunnel.id.',
        );
        assert.equal(err.detail, 'Tunnel service error: Conflict with existing entity. Retry tunnel operation.');
        return true;
      });
    });

    it('maps the anonymous create-scope error to NotLoggedInError', async () => {
      await assert.rejects(driver({ FAKE_DEVTUNNEL_SCENARIO: 'loggedout' }).create('mybot'), (err: unknown) => {
        assert.ok(err instanceof NotLoggedInError);
        assert.equal(err.kind, 'not-logged-in');
        assert.equal(err.message, 'You are not logged in to Dev Tunnels: run `devtunnel user login` in a terminal, then try again.');
        return true;
      });
    });

    it('maps an expired login to NotLoggedInError saying so', async () => {
      await assert.rejects(driver({ FAKE_DEVTUNNEL_SCENARIO: 'expired' }).create('mybot'), {
        name: 'NotLoggedInError',
        message: 'Your Dev Tunnels login has expired: run `devtunnel user login` in a terminal, then try again.',
      });
    });

    it('maps a rate limit to RateLimitedError', async () => {
      await assert.rejects(driver({ FAKE_DEVTUNNEL_SCENARIO: 'ratelimit' }).create('mybot'), (err: unknown) => {
        assert.ok(err instanceof RateLimitedError);
        assert.equal(
          err.message,
          'The Dev Tunnels service is rate-limiting this account (429): wait a minute and try again, or run `devtunnel limits` to see your usage.',
        );
        assert.equal(err.detail, 'Rate limit exceeded. Please wait about a minute and try again.');
        return true;
      });
    });

    it('adds a port, and treats an existing port as done', async () => {
      const dt = driver();
      await dt.create('mybot');
      assert.deepEqual(await dt.portCreate('mybot', 3978), {
        port: { portNumber: 3978, protocol: 'auto', portUri: undefined, clientConnections: 0 },
        created: true,
      });
      assert.deepEqual(await dt.portCreate('mybot', 3978), { port: { portNumber: 3978, protocol: 'auto' }, created: false });
      assert.deepEqual(calls()[1], ['port', 'create', 'mybot', '-p', '3978', '--protocol', 'auto', '--json']);
    });

    it('shows a tunnel with its public port URL, and undefined for a missing one', async () => {
      const dt = driver();
      await setUpTunnel(dt);
      const tunnel = await dt.show('mybot');
      assert.deepEqual(tunnel?.ports, [
        { portNumber: 3978, protocol: 'auto', portUri: 'https://mybot-3978.euw.devtunnels.ms/', clientConnections: 0 },
      ]);
      assert.equal(await dt.show('missing'), undefined);
      assert.deepEqual(calls().slice(-2), [
        ['show', 'mybot', '--json'],
        ['show', 'missing', '--json'],
      ]);
    });

    it('reads JSON printed after a welcome banner', async () => {
      const dt = driver({ FAKE_DEVTUNNEL_SCENARIO: 'banner' });
      assert.equal((await dt.create('anything')).tunnelId, 'anything.euw');
      assert.equal((await dt.show('anything'))?.tunnelId, 'anything.euw');
    });

    it('lists tunnels', async () => {
      const dt = driver();
      await dt.create('one');
      await dt.create('two');
      assert.deepEqual(
        (await dt.list()).map((t) => t.tunnelId),
        ['one.euw', 'two.euw'],
      );
    });

    it('raises NotLoggedInError from list when the CLI says "Login required."', async () => {
      await assert.rejects(driver({ FAKE_DEVTUNNEL_SCENARIO: 'loggedout' }).list(), NotLoggedInError);
    });

    it('deletes with --force, and reports an already-missing tunnel as false', async () => {
      const dt = driver();
      await dt.create('mybot');
      assert.equal(await dt.delete('mybot'), true);
      assert.equal(await dt.delete('mybot'), false);
      assert.deepEqual(calls()[1], ['delete', 'mybot', '--force']);
    });

    it('refuses ids that are not tunnel ids without starting the CLI', async () => {
      await assert.rejects(driver().create('--help'), {
        name: 'DevtunnelError',
        message: '"--help" is not a valid dev tunnel id: use lowercase letters, digits and hyphens (at most 60), not starting or ending with a hyphen.',
      });
      await assert.rejects(driver().show('My Bot'), DevtunnelError);
      assert.deepEqual(calls(), []);
    });

    it('times out a hanging command', async () => {
      await assert.rejects(driver({ FAKE_DEVTUNNEL_SCENARIO: 'hang' }).list({ timeoutMs: 300 }), ProcessTimeoutError);
    });

    it('raises ToolNotFoundError when the configured path does not exist', async () => {
      const dt = new Devtunnel({ executable: path.join(dir, 'devtunnel'), env: envWithStandIns() });
      await assert.rejects(dt.userShow(), ToolNotFoundError);
    });
  });

  describe('host', () => {
    it('resolves the public URL for the port and reports inspect URL and readiness', async () => {
      const logger = new MemoryLogger();
      const dt = driver({}, logger);
      await setUpTunnel(dt);
      const host = track(dt.host('mybot', { port: 3978 }));
      const ready = new Promise<string>((resolve) => host.once('ready', resolve));
      assert.equal(await host.url, 'https://mybot-3978.euw.devtunnels.ms');
      assert.equal(await ready, 'mybot.euw');
      assert.equal(host.inspectUrl, 'https://mybot-3978-inspect.euw.devtunnels.ms');
      assert.equal(host.running, true);
      assert.ok(logger.lines.some((l) => l.level === 'info' && l.message === 'devtunnel: Connect via browser: https://mybot-3978.euw.devtunnels.ms'));
      assert.deepEqual(calls().at(-1), ['host', 'mybot']);
      const exit = await host.stop();
      assert.equal(host.running, false);
      assert.equal(exit.code, 0);
    });

    it('uses the URL the CLI prints (configurable in the stand-in)', async () => {
      const dt = driver({ FAKE_DEVTUNNEL_URL: 'https://custom-3978.usw2.devtunnels.ms' });
      await setUpTunnel(dt);
      assert.equal(await track(dt.host('mybot', { port: 3978 })).url, 'https://custom-3978.usw2.devtunnels.ms');
    });

    it('takes the -PORT. URL from the two-URL line, through chunked CRLF output with colours', async () => {
      const dt = driver({ FAKE_DEVTUNNEL_SCENARIO: 'host-two-url,chunked,crlf,ansi' });
      await setUpTunnel(dt);
      const host = track(dt.host('mybot', { port: 3978 }));
      assert.equal(await host.url, 'https://mybot-3978.euw.devtunnels.ms');
    });

    it('reads the older one-line host format', async () => {
      const dt = driver({ FAKE_DEVTUNNEL_SCENARIO: 'host-old' });
      await setUpTunnel(dt);
      const host = track(dt.host('mybot', { port: 3978 }));
      assert.equal(await host.url, 'https://mybot-3978.euw.devtunnels.ms');
      assert.equal(host.inspectUrl, 'https://mybot-3978-inspect.euw.devtunnels.ms');
    });

    it('picks the requested port among several', async () => {
      const dt = driver();
      await setUpTunnel(dt);
      await dt.portCreate('mybot', 5000);
      const urls: (number | undefined)[] = [];
      const host = track(dt.host('mybot', { port: 5000 }));
      host.on('url', (u) => urls.push(u.port));
      assert.equal(await host.url, 'https://mybot-5000.euw.devtunnels.ms');
      assert.deepEqual(urls, [3978, 5000]);
    });

    it('rejects the URL with RateLimitedError when hosting is rate-limited', async () => {
      const host = track(driver({ FAKE_DEVTUNNEL_SCENARIO: 'ratelimit' }).host('mybot', { port: 3978 }));
      const exited = new Promise((resolve) => host.once('exit', resolve));
      await assert.rejects(host.url, RateLimitedError);
      assert.deepEqual(await exited, { code: 1, signal: null });
    });

    it('rejects the URL with NotLoggedInError when logged out', async () => {
      await assert.rejects(track(driver({ FAKE_DEVTUNNEL_SCENARIO: 'loggedout' }).host('mybot')).url, NotLoggedInError);
    });

    it('rejects the URL with TunnelNotFoundError for an unknown tunnel', async () => {
      await assert.rejects(track(driver().host('missing', { port: 3978 })).url, (err: unknown) => {
        assert.ok(err instanceof TunnelNotFoundError);
        assert.equal(err.exitCode, 2);
        assert.equal(
          err.message,
          'The dev tunnel "missing" does not exist (or belongs to another account): run Set Up Bot to create it, or `devtunnel create missing --allow-anonymous`.',
        );
        return true;
      });
    });

    it('gives up on the URL after urlTimeoutMs and stops the host', async () => {
      const dt = driver({ FAKE_DEVTUNNEL_HOST_DELAY_MS: '10000' });
      await setUpTunnel(dt);
      const host = track(dt.host('mybot', { port: 3978, urlTimeoutMs: 300 }));
      await assert.rejects(host.url, {
        name: 'DevtunnelError',
        message:
          'devtunnel host mybot printed no public URL within 0.3 s: check the tunnel has port 3978 (`devtunnel show mybot`) and your network, then start the tunnel again.',
      });
      await host.exited;
      assert.equal(host.running, false);
    });

    it('rejects the URL with a cancellation when stopped before the URL appears', async () => {
      const dt = driver({ FAKE_DEVTUNNEL_HOST_DELAY_MS: '10000' });
      await setUpTunnel(dt);
      const host = track(dt.host('mybot', { port: 3978 }));
      setTimeout(() => void host.stop(), 200);
      await assert.rejects(host.url, ProcessCancelledError);
    });

    it('reports a failure after the URL as an event, then the exit', async () => {
      const dt = driver({ FAKE_DEVTUNNEL_SCENARIO: 'host-fail-late' });
      await setUpTunnel(dt);
      const host = track(dt.host('mybot', { port: 3978 }));
      const failure = new Promise<Error>((resolve) => host.once('failure', resolve));
      const exit = new Promise((resolve) => host.once('exit', resolve));
      assert.equal(await host.url, 'https://mybot-3978.euw.devtunnels.ms');
      assert.ok((await failure) instanceof RateLimitedError);
      assert.deepEqual(await exit, { code: 1, signal: null });
    });

    it('rejects the URL with ToolNotFoundError when devtunnel is missing', async () => {
      const dt = new Devtunnel({ env: { PATH: '/nonexistent' } });
      await assert.rejects(dt.host('mybot').url, ToolNotFoundError);
    });
  });
});
