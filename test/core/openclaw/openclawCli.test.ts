import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenClawCli } from '../../../src/core/openclaw/openclawCli';
import { OpenClawError } from '../../../src/core/openclaw/openclawErrors';
import { ApprovalCancelledError, OpenClawPairings } from '../../../src/core/openclaw/openclawPairings';
import { readApprovedSenders } from '../../../src/core/openclaw/approvedSenders';
import { readOpenClawConfig } from '../../../src/core/openclaw/openclawConfigFile';
import { StoreWatcher } from '../../../src/core/openclaw/storeWatcher';
import { ToolNotFoundError } from '../../../src/core/process/toolNotFound';
import { ensureOpenClawInstalled, openclawEnv, seedPairingRequests, type OpenClawInstall } from '../../support/openclawInstall';

/**
 * The real OpenClaw CLI (openclaw@2026.9.6 on Node 24, installed on demand
 * into .vscode-test/openclaw/), offline, in a private HOME and state dir.
 * Pending msteams requests are seeded in its SQLite store the way the
 * msteams plugin writes them. Every CLI call takes seconds: generous guards.
 */
const STANDIN = path.resolve(__dirname, '../../fixtures/openclaw/bin/openclaw-standin');

function waitFor<T>(subscribe: (resolve: (v: T) => void) => () => void, what: string, ms = 5 * 60_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const off = subscribe((v) => {
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

describe('OpenClaw companion (against the real openclaw CLI, offline)', function () {
  // A hang guard only: each CLI call is a Node process that takes 2–30 s on a loaded machine.
  this.timeout(15 * 60_000);

  let install: OpenClawInstall;
  let root: string;
  let stateDir: string;
  let cli: OpenClawCli;

  before(async function () {
    this.timeout(30 * 60_000); // the first run installs Node 24 and openclaw (about a minute)
    install = await ensureOpenClawInstalled();
    if (install.installMs > 5000) console.log(`      (installed openclaw in ${(install.installMs / 1000).toFixed(1)} s)`);
  });

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-test-'));
    stateDir = path.join(root, 'state');
    cli = new OpenClawCli({ executable: install.wrapper, env: openclawEnv(root, stateDir), stateDir });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads its version and lists no requests on a fresh state dir', async () => {
    assert.equal(await cli.version(), install.version);
    assert.deepEqual(await cli.listPending('default'), []);
    assert.ok(fs.existsSync(path.join(stateDir, 'state', 'openclaw.sqlite')), 'the first call created the store');
  });

  it('lists seeded msteams requests with code, name, sender and account', async () => {
    await cli.listPending('default');
    await seedPairingRequests(install.node, stateDir, [
      { senderId: '11111111-aaaa-4bbb-8ccc-000000000001', code: 'ABCD2345', name: 'Alice Example' },
      { senderId: '22222222-aaaa-4bbb-8ccc-000000000002', code: 'QRST6789' },
      { senderId: '33333333-aaaa-4bbb-8ccc-000000000003', code: 'WXYZ6789', name: 'Other Account', accountId: 'second' },
    ]);
    const list = await cli.listPending('default');
    assert.deepEqual(
      list.map((r) => [r.code, r.senderId, r.name, r.accountId]).sort(),
      [
        ['ABCD2345', '11111111-aaaa-4bbb-8ccc-000000000001', 'Alice Example', 'default'],
        ['QRST6789', '22222222-aaaa-4bbb-8ccc-000000000002', undefined, 'default'],
      ],
    );
    assert.deepEqual((await cli.listPending('second')).map((r) => r.code), ['WXYZ6789']);
  });

  it('drops requests older than an hour (OpenClaw prunes them as it lists)', async () => {
    await cli.listPending('default');
    await seedPairingRequests(install.node, stateDir, [
      { senderId: '44444444-aaaa-4bbb-8ccc-000000000004', code: 'OLDX2345', createdAt: new Date(Date.now() - 2 * 3_600_000) },
      { senderId: '55555555-aaaa-4bbb-8ccc-000000000005', code: 'NEWX2345' },
    ]);
    assert.deepEqual((await cli.listPending('default')).map((r) => r.code), ['NEWX2345']);
  });

  it('notices a new request through the store watcher and announces it once', async () => {
    await cli.listPending('default'); // creates the store
    const watcher = new StoreWatcher({ storePath: path.join(stateDir, 'state', 'openclaw.sqlite'), pollMs: 500 });
    const pairings = new OpenClawPairings({ cli, accountId: 'default', watcher });
    watcher.start();
    try {
      await pairings.refresh();
      assert.equal(pairings.requests.length, 0);
      const announced = waitFor<readonly { code: string }[]>((r) => pairings.on('newRequests', r), 'newRequests');
      await seedPairingRequests(install.node, stateDir, [{ senderId: '66666666-aaaa-4bbb-8ccc-000000000006', code: 'NOTE2345', name: 'Nora' }]);
      assert.deepEqual((await announced).map((r) => r.code), ['NOTE2345']);
      assert.deepEqual(pairings.requests.map((r) => r.code), ['NOTE2345']);
      // A second list of the same request (e.g. an explicit refresh) does not announce it again.
      let again = 0;
      const off = pairings.on('newRequests', () => again++);
      await pairings.refresh();
      off();
      assert.equal(again, 0);
    } finally {
      watcher.dispose();
      pairings.dispose();
    }
  });

  it('approves without a gateway: the sender is allowed, told they were NOT notified, and the first approval rewrites openclaw.json', async () => {
    const configPath = path.join(stateDir, 'openclaw.json');
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(configPath, '// my notes\n{\n  gateway: { port: 18789, auth: { mode: "token", token: "t0k3n" } },\n}\n');
    assert.equal(readOpenClawConfig(configPath).hasCommandOwner, false, 'before: no command owner, so the warning applies');
    await cli.listPending('default');
    await seedPairingRequests(install.node, stateDir, [
      { senderId: '77777777-aaaa-4bbb-8ccc-000000000007', code: 'APPR2345', name: 'Alice Example' },
      { senderId: '88888888-aaaa-4bbb-8ccc-000000000008', code: 'SECO2345', name: 'Bob' },
    ]);
    const pairings = new OpenClawPairings({ cli, accountId: 'default' });
    await pairings.refresh();
    const alice = pairings.requests.find((r) => r.code === 'APPR2345');
    assert.ok(alice);

    // The confirmation comes only on the CLI path, and a no cancels before anything is written.
    await assert.rejects(pairings.approve(alice, { beforeCliApproval: async () => false }), (err: unknown) => err instanceof ApprovalCancelledError);
    assert.ok(pairings.requests.some((r) => r.code === 'APPR2345'), 'still pending after a cancelled approval');
    assert.match(fs.readFileSync(configPath, 'utf8'), /my notes/);
    let asked = 0;
    const outcome = await pairings.approve(alice, { beforeCliApproval: async () => ++asked > 0 });
    assert.equal(asked, 1);
    assert.equal(outcome.via, 'cli');
    assert.equal(outcome.notified, false);
    assert.equal(outcome.senderId, '77777777-aaaa-4bbb-8ccc-000000000007');
    assert.equal(outcome.configRewritten, true);
    assert.match(outcome.message, /Alice Example was NOT told/);
    assert.match(outcome.message, /openclaw gateway run/);
    assert.deepEqual(pairings.requests.map((r) => r.code), ['SECO2345'], 'the list was refreshed after approving');
    assert.match(fs.readFileSync(`${configPath}.bak`, 'utf8'), /my notes/);
    assert.doesNotMatch(fs.readFileSync(configPath, 'utf8'), /my notes/);
    assert.equal(readOpenClawConfig(configPath).hasCommandOwner, true, 'after: later approvals leave the file alone');

    const bob = await pairings.approve(pairings.requests[0]);
    assert.equal(bob.configRewritten, false);
    assert.match(bob.message, /Bob was NOT told/);
  });

  it('answers UNKNOWN_CODE for a code nobody is waiting with', async () => {
    await cli.listPending('default');
    await assert.rejects(cli.approveWithCli('ZZZZ9999', 'default'), (err: unknown) => {
      assert.ok(err instanceof OpenClawError);
      assert.equal(err.code, 'UNKNOWN_CODE');
      assert.match(err.message, /No pending pairing request found for code "ZZZZ9999".*expired/);
      return true;
    });
  });

  it('says plainly that Reject needs the gateway, and when the request expires by itself', async () => {
    await cli.listPending('default');
    await seedPairingRequests(install.node, stateDir, [{ senderId: '99999999-aaaa-4bbb-8ccc-000000000009', code: 'REJE2345' }]);
    const pairings = new OpenClawPairings({ cli, accountId: 'default' });
    await pairings.refresh();
    await assert.rejects(pairings.reject(pairings.requests[0]), (err: unknown) => {
      assert.ok(err instanceof OpenClawError);
      assert.equal(err.code, 'GATEWAY_UNAVAILABLE');
      assert.match(err.message, /only through its running gateway/);
      assert.match(err.message, /expires by itself in (59|60) min/);
      return true;
    });
    assert.deepEqual(pairings.requests.map((r) => r.code), ['REJE2345'], 'nothing was lost');
  });

  it('reports the config issues of `config validate --json` by path', async () => {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'openclaw.json'), "{\n  // JSON5\n  channels: { msteams: { dmPolicy: 'bogus', }, },\n}\n");
    const result = await cli.validateConfig();
    assert.equal(result.valid, false);
    const issue = result.issues.find((i) => i.path === 'channels.msteams.dmPolicy');
    assert.ok(issue, JSON.stringify(result.issues));
    assert.deepEqual(issue.allowedValues, ['pairing', 'allowlist', 'open', 'disabled']);
  });

  it('lists approved senders from the store (under a Node with node:sqlite), and says why not on Node 20', async () => {
    await cli.listPending('default');
    await seedPairingRequests(install.node, stateDir, [{ senderId: 'aaaaaaaa-aaaa-4bbb-8ccc-00000000000a', code: 'LIST2345', name: 'Lia' }]);
    await cli.approveWithCli('LIST2345', 'default');
    const storePath = path.join(stateDir, 'state', 'openclaw.sqlite');
    const script = `const { readApprovedSenders } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/openclaw/approvedSenders.ts'))});
      process.stdout.write(JSON.stringify(readApprovedSenders(${JSON.stringify(storePath)}, 'default')));`;
    const r = spawnSync(install.node, ['--no-warnings', '--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { ok: boolean; senders: { entry: string }[] };
    assert.equal(result.ok, true);
    assert.deepEqual(result.senders.map((s) => s.entry), ['aaaaaaaa-aaaa-4bbb-8ccc-00000000000a']);
    if (!process.versions.node.startsWith('20.')) return;
    const here = readApprovedSenders(storePath, 'default');
    assert.equal(here.ok, false);
    assert.match((here as { reason: string }).reason, /needs node:sqlite \(Node 22\.13 or newer\); this VS Code runs Node 20/);
  });

  describe('with a running gateway (a stand-in answering as the real one did with the msteams plugin)', () => {
    const ERIN = {
      senderId: 'aaaaaaaa-0002-4000-8000-000000000002',
      code: 'CPWM78PF',
      name: 'Erin Unauth',
      accountId: 'default',
      createdAt: new Date().toISOString(),
      lastSeenAt: new Date().toISOString(),
    };
    const withGateway = (extra: Record<string, string> = {}) => {
      const calls = path.join(root, 'calls.jsonl');
      const env = { ...process.env, FAKE_OPENCLAW_GATEWAY: 'up', FAKE_OPENCLAW_CALLS: calls, ...extra };
      const read = () => fs.readFileSync(calls, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string; params: Record<string, unknown> });
      return { pairings: new OpenClawPairings({ cli: new OpenClawCli({ executable: STANDIN, env }), accountId: 'default' }), calls: read };
    };

    it('approves through channels.pairing.approve with notify and the accountId, by the gateway\'s request id', async () => {
      const { pairings, calls } = withGateway();
      const outcome = await pairings.approve(ERIN);
      assert.deepEqual(outcome, {
        senderId: ERIN.senderId,
        notified: true,
        via: 'gateway',
        configRewritten: false,
        message: 'Approved Erin Unauth (aaaaaaaa-0002-4000-8000-000000000002). OpenClaw told them in Teams that they can message the bot now.',
      });
      assert.deepEqual(calls(), [
        { method: 'channels.pairing.list', params: { channel: 'msteams', accountId: 'default' } },
        { method: 'channels.pairing.approve', params: { channel: 'msteams', accountId: 'default', requestId: 'JWM63QL4UpNpNnHT9LfTePWK84vs55-x', notify: true } },
      ]);
    });

    it('a notice the gateway could not send is said plainly', async () => {
      const { pairings } = withGateway({ FAKE_OPENCLAW_NOTIFICATION: 'failed' });
      const outcome = await pairings.approve(ERIN);
      assert.equal(outcome.notified, false);
      assert.match(outcome.message, /could not send them the approval message \(notification failed\)\. Tell Erin Unauth yourself/);
    });

    it('rejects through channels.pairing.dismiss', async () => {
      const { pairings, calls } = withGateway();
      await pairings.reject(ERIN);
      assert.deepEqual(calls()[1], { method: 'channels.pairing.dismiss', params: { channel: 'msteams', accountId: 'default', requestId: 'JWM63QL4UpNpNnHT9LfTePWK84vs55-x' } });
    });

    it('a request the gateway no longer has: REQUEST_GONE, nothing approved', async () => {
      const { pairings, calls } = withGateway();
      await assert.rejects(pairings.approve({ ...ERIN, senderId: 'someone-else' }), (err: unknown) => err instanceof OpenClawError && err.code === 'REQUEST_GONE');
      assert.deepEqual(calls().map((c) => c.method), ['channels.pairing.list']);
    });
  });

  describe('faults', () => {
    it('a missing CLI: how to install it, and the setting', async () => {
      const missing = new OpenClawCli({ executable: 'openclaw', env: { PATH: root } });
      await assert.rejects(missing.version(), (err: unknown) => {
        assert.ok(err instanceof ToolNotFoundError);
        assert.equal(
          err.message,
          'The OpenClaw CLI (openclaw) is not installed or not on PATH: install it with `npm install -g openclaw` (it needs Node 24.16 or newer), or set teamsBot.openclaw.cliPath.',
        );
        return true;
      });
    });

    it('a Node it refuses (the real CLI on this Node 20)', async function () {
      if (!process.versions.node.startsWith('20.')) this.skip();
      const onOldNode = new OpenClawCli({ executable: process.execPath, executableArgs: [install.entry], env: openclawEnv(root, stateDir) });
      await assert.rejects(onOldNode.listPending('default'), (err: unknown) => {
        assert.ok(err instanceof OpenClawError);
        assert.equal(err.code, 'NODE_UNSUPPORTED');
        assert.match(err.message, /^OpenClaw refuses to run on Node 20\.\d+\.\d+ \(node:sqlite is unavailable.*\)\. Install Node 24\.16 or newer/);
        assert.match(err.printed ?? '', /nvm install/);
        return true;
      });
    });

    it('a release older than the one we support', async () => {
      const old = new OpenClawCli({ executable: STANDIN, env: { ...process.env, FAKE_OPENCLAW_VERSION: '2026.8.2' } });
      await assert.rejects(old.listPending('default'), (err: unknown) => {
        assert.ok(err instanceof OpenClawError);
        assert.equal(err.code, 'TOO_OLD');
        assert.match(err.message, /^OpenClaw 2026\.8\.2 is too old: this extension needs 2026\.9\.6 or newer.*npm install -g openclaw@latest/);
        return true;
      });
    });

    it('output we cannot read: shows what it printed', async () => {
      const odd = new OpenClawCli({ executable: STANDIN, env: { ...process.env, FAKE_OPENCLAW_LIST: 'Pairing requests (1)\n│ ABCD2345 │ someone │\n' } });
      await assert.rejects(odd.listPending('default'), (err: unknown) => {
        assert.ok(err instanceof OpenClawError);
        assert.equal(err.code, 'UNREADABLE_OUTPUT');
        assert.match(err.message, /openclaw pairing list printed output this extension cannot read/);
        assert.match(err.message, /It printed: "Pairing requests \(1\)/);
        assert.match(err.printed ?? '', /ABCD2345/);
        return true;
      });
    });
  });
});
