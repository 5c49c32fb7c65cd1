import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Gateway } from '../../src/core/gateway/gateway';
import { StateDirInUseError, StateDirLock, GATEWAY_LOCK_FILE } from '../../src/core/gateway/stateDirLock';
import { ActivityLog } from '../../src/core/activity/activityLog';
import { PairingStore } from '../../src/core/pairing/pairingStore';
import { ensureStateDir, STATE_DIR_GITIGNORE } from '../../src/core/stateDir';
import { MemoryLogger } from '../../src/core/logger';
import { readOnlyLockFs } from '../support/readOnlyLockFs';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'tbd-state-'));
}

async function writeConfig(dir: string): Promise<string> {
  const file = path.join(dir, 'teams-bot.config.json');
  await fs.writeFile(file, JSON.stringify({ webhook: { port: 0 }, bot: { echo: true } }));
  return file;
}

/** The pid of a process that has certainly exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });
}

describe('state dir: created on the first write only, with a .gitignore', () => {
  let dir: string;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('opening, loading and watching the stores (what the extension does on activation) creates nothing', async () => {
    const stateDir = path.join(dir, '.teams-bot');
    const pairing = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20 });
    const activities = new ActivityLog({ dir: stateDir });
    await Promise.all([pairing.load(), activities.load()]);
    pairing.watch();
    try {
      assert.equal(existsSync(stateDir), false, 'the state dir must not exist before anything is written');
    } finally {
      pairing.close();
      await activities.close();
    }
  });

  it('the first record creates the dir with a .gitignore of "*"', async () => {
    const stateDir = path.join(dir, '.teams-bot');
    const activities = new ActivityLog({ dir: stateDir });
    activities.record({ direction: 'inbound', source: 'loopback', status: 200, latencyMs: 1, auth: 'local', fate: 'delivered', reason: 'echo', summary: {} });
    await activities.close();
    assert.equal(await fs.readFile(path.join(stateDir, '.gitignore'), 'utf8'), STATE_DIR_GITIGNORE);
    assert.match(STATE_DIR_GITIGNORE, /^\*$/m);
    assert.ok(existsSync(path.join(stateDir, 'activities.jsonl')));
  });

  it('the first pairing request creates the dir with a .gitignore, and a store watching the missing dir sees it', async () => {
    const stateDir = path.join(dir, 'nested', '.teams-bot');
    const watcher = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20 });
    await watcher.load();
    watcher.watch();
    const writer = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20 });
    try {
      const seen = new Promise<string>((resolve) => watcher.on('requested', (r) => resolve(r.id)));
      await writer.touch({ id: '29:erin', meta: { name: 'Erin' } });
      assert.equal(await fs.readFile(path.join(stateDir, '.gitignore'), 'utf8'), STATE_DIR_GITIGNORE);
      assert.equal(await seen, '29:erin');
    } finally {
      watcher.close();
      writer.close();
    }
  });

  it('an activity log whose state dir cannot exist (a file in its path) loads empty with one warning and keeps records in memory', async () => {
    await fs.writeFile(path.join(dir, 'not-a-dir'), '');
    const logger = new MemoryLogger();
    const log = new ActivityLog({ dir: path.join(dir, 'not-a-dir', '.teams-bot'), logger });
    await log.load();
    const record = log.record({ direction: 'inbound', source: 'loopback', status: 200, latencyMs: 1, auth: 'local', fate: 'delivered', reason: 'echo', summary: {} });
    await log.close();
    assert.equal(log.get(record.id)?.id, record.id);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /ENOTDIR/.test(l.message)), logger.text());
  });

  it('an existing dir is left as it is: no .gitignore is added to a folder the user chose', async () => {
    await ensureStateDir(dir);
    assert.equal(existsSync(path.join(dir, '.gitignore')), false);
  });

  it('concurrent creators all succeed, and the .gitignore is written once', async () => {
    const stateDir = path.join(dir, '.teams-bot');
    await Promise.all(Array.from({ length: 8 }, () => ensureStateDir(stateDir)));
    assert.equal(await fs.readFile(path.join(stateDir, '.gitignore'), 'utf8'), STATE_DIR_GITIGNORE);
  });
});

describe('state dir lock: one gateway per state dir', () => {
  let dir: string;
  const gateways: Gateway[] = [];
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function gateway(stateDir = path.join(dir, '.teams-bot'), overrides: { port?: number } = {}): Gateway {
    const g = new Gateway({ configFile: path.join(dir, 'teams-bot.config.json'), stateDir, logger: new MemoryLogger(), env: {}, overrides });
    gateways.push(g);
    return g;
  }

  it('a second gateway on the same state dir is refused with a typed error naming the first (pid, port); the first keeps running', async () => {
    await writeConfig(dir);
    const first = await gateway().start();
    const second = gateway();
    await assert.rejects(second.start(), (err: unknown) => {
      assert.ok(err instanceof StateDirInUseError, `expected StateDirInUseError, got ${String(err)}`);
      assert.equal(err.pid, process.pid);
      assert.equal(err.port, first.port);
      assert.match(err.message, new RegExp(`pid ${process.pid}, port ${first.port}`));
      assert.match(err.message, /--state-dir/);
      return true;
    });
    assert.equal(second.status.status, 'stopped');
    assert.match(second.status.error ?? '', /already using the state dir/);
    assert.equal(gateways[0].status.status, 'running');
  });

  it('another state dir is fine, and after the first stops the same state dir can be taken again', async () => {
    await writeConfig(dir);
    const first = gateway();
    await first.start();
    await gateway(path.join(dir, 'other-state')).start();
    await first.stop();
    assert.equal(existsSync(path.join(dir, '.teams-bot', GATEWAY_LOCK_FILE)), false, 'stop removes the lock file');
    await gateway().start();
  });

  it('a lock file left by a process that no longer exists (SIGKILL) does not block: the next gateway takes over', async () => {
    await writeConfig(dir);
    const stateDir = path.join(dir, '.teams-bot');
    await ensureStateDir(stateDir);
    const pid = await deadPid();
    await fs.writeFile(path.join(stateDir, GATEWAY_LOCK_FILE), JSON.stringify({ pid, hostname: os.hostname(), port: 3978, startedAt: new Date().toISOString(), token: 'dead' }));
    const state = await gateway(stateDir).start();
    const holder = JSON.parse(await fs.readFile(path.join(stateDir, GATEWAY_LOCK_FILE), 'utf8'));
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.port, state.port, 'the lock names the bound port');
  });

  it('a lock file with our own pid but not taken by this process (a reused pid after a restart) does not block', async () => {
    const stateDir = path.join(dir, '.teams-bot');
    await ensureStateDir(stateDir);
    await fs.writeFile(path.join(stateDir, GATEWAY_LOCK_FILE), JSON.stringify({ pid: process.pid, hostname: os.hostname(), port: 3978, startedAt: new Date().toISOString(), token: 'earlier-life' }));
    const lock = await StateDirLock.acquire(stateDir);
    await lock.release();
  });

  it('a holder pid that is alive but now another program (a container restart reuses pids) does not block', async function () {
    if (!existsSync('/proc/self/stat')) this.skip(); // start times come from /proc
    const stateDir = path.join(dir, '.teams-bot');
    await ensureStateDir(stateDir);
    const lockFile = path.join(stateDir, GATEWAY_LOCK_FILE);
    // The parent process is alive; a start time it never had says it is not the process that took the lock.
    await fs.writeFile(lockFile, JSON.stringify({ pid: process.ppid, hostname: os.hostname(), port: 3978, startedAt: new Date().toISOString(), token: 'before-restart', processStart: '1' }));
    const lock = await StateDirLock.acquire(stateDir);
    await lock.release();
    // The same live pid without a start time to compare (no /proc when it was written): it counts as the holder.
    await fs.writeFile(lockFile, JSON.stringify({ pid: process.ppid, hostname: os.hostname(), port: 3978, startedAt: new Date().toISOString(), token: 'other' }));
    await assert.rejects(StateDirLock.acquire(stateDir), (err: unknown) => err instanceof StateDirInUseError && err.pid === process.ppid && err.port === 3978);
  });

  it('gateways racing for one state dir: exactly one wins, every other is refused', async () => {
    const stateDir = path.join(dir, '.teams-bot');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => StateDirLock.acquire(stateDir, { port: 1 })));
    const won = results.filter((r): r is PromiseFulfilledResult<StateDirLock> => r.status === 'fulfilled');
    assert.equal(won.length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof StateDirInUseError, String(r.reason));
    await won[0].value.release();
  });

  it('a state dir that cannot be written (a file in its path) does not stop the gateway: a warning, records in memory', async () => {
    await fs.writeFile(path.join(dir, 'teams-bot.config.json'), JSON.stringify({ webhook: { port: 0 }, dmPolicy: 'open', bot: { echo: true } }));
    await fs.writeFile(path.join(dir, 'not-a-dir'), '');
    const logger = new MemoryLogger();
    const g = new Gateway({ configFile: path.join(dir, 'teams-bot.config.json'), stateDir: path.join(dir, 'not-a-dir', '.teams-bot'), logger, env: {} });
    gateways.push(g);
    const state = await g.start();
    assert.equal(state.status, 'running');
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /state dir .* cannot be written \(ENOTDIR\): serving anyway/.test(l.message)), logger.text());
    const record = await g.simulate({ user: { id: '29:x', name: 'X' }, kind: 'personal', text: 'hi' });
    assert.equal(record.reason, 'echo');
    assert.equal(g.activities.get(record.id)?.id, record.id);
  });

  it('a lock error that is not "held" (EACCES on a read-only state dir) is not retried: the gateway does not stall before serving anyway', async () => {
    const stateDir = path.join(dir, '.teams-bot');
    await ensureStateDir(stateDir);
    const readOnly = readOnlyLockFs();
    await assert.rejects(StateDirLock.acquire(stateDir, { port: 1 }, readOnly.fs), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'EACCES');
      return true;
    });
    assert.equal(readOnly.mkdirCalls(), 1, 'tried once, not retried');
  });

  it('a failed start (busy port) releases the lock, so a corrected start is not refused', async () => {
    await writeConfig(dir);
    const first = await gateway(path.join(dir, 'a')).start();
    const busy = gateway(path.join(dir, 'b'), { port: first.port });
    await assert.rejects(busy.start(), /already in use/);
    assert.equal(existsSync(path.join(dir, 'b', GATEWAY_LOCK_FILE)), false);
  });
});

describe('Gateway.simulate before start', () => {
  it('rejects with a sentence saying to start the webhook, not a TypeError', async () => {
    const dir = await tempDir();
    try {
      const g = new Gateway({ configFile: path.join(dir, 'teams-bot.config.json'), stateDir: path.join(dir, '.teams-bot'), logger: new MemoryLogger(), env: {} });
      await assert.rejects(g.simulate({ user: { id: '29:x' }, kind: 'personal', text: 'hi' }), (err: unknown) => {
        assert.ok(!(err instanceof TypeError), `got a TypeError: ${String(err)}`);
        assert.match((err as Error).message, /The webhook is not running: start it first/);
        return true;
      });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
