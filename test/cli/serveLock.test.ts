import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GATEWAY_LOCK_FILE } from '../../src/core/gateway/stateDirLock';
import { freePort, makeTempDir, runCli, startServe, type LineProcess } from '../support/cli';

/** Two `serve` processes on one state dir: the real processes, the real lock file. */
describe('CLI serve: one gateway per state dir', function () {
  let dir: string;
  let stateDir: string;
  const running: LineProcess[] = [];

  beforeEach(async () => {
    dir = await makeTempDir('tbd-serve-lock-');
    stateDir = path.join(dir, '.teams-bot');
    await fs.writeFile(path.join(dir, 'teams-bot.config.json'), JSON.stringify({ bot: { echo: true } }));
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a second serve on the same state dir exits 1 with one sentence naming the first (pid, port); the first keeps serving', async () => {
    const first = await startServe(['--port', String(await freePort())], { cwd: dir });
    running.push(first.serve);
    const second = await runCli(['serve', '--port', String(await freePort())], { cwd: dir });
    assert.equal(second.code, 1);
    const lines = second.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one message, got:\n${second.stderr}`);
    assert.match(lines[0], new RegExp(`^error: Another teams-bot-dev gateway \\(pid ${first.serve.pid}, port ${first.port}\\) is already using the state dir `));
    assert.doesNotMatch(second.stdout, /Listening on/);
    assert.ok(first.serve.alive);
    const res = await fetch(first.url, { method: 'GET' });
    assert.equal(res.status, 200, 'the first gateway still answers');
  });

  it('a gateway killed with SIGKILL leaves its lock file behind, and the next serve starts anyway', async () => {
    const first = await startServe(['--port', String(await freePort())], { cwd: dir });
    first.serve.signal('SIGKILL');
    await first.serve.exited;
    assert.ok(existsSync(path.join(stateDir, GATEWAY_LOCK_FILE)), 'a killed process cannot remove its lock');
    const next = await startServe(['--port', String(await freePort())], { cwd: dir });
    running.push(next.serve);
    const holder = JSON.parse(await fs.readFile(path.join(stateDir, GATEWAY_LOCK_FILE), 'utf8'));
    assert.equal(holder.pid, next.serve.pid);
    assert.equal(holder.port, next.port);
  });

  it('serve on a fresh folder creates the state dir with a .gitignore of "*"', async () => {
    const first = await startServe(['--port', String(await freePort())], { cwd: dir });
    running.push(first.serve);
    assert.match(await fs.readFile(path.join(stateDir, '.gitignore'), 'utf8'), /^\*$/m);
  });
});

describe('CLI: commands that only read create no state dir', () => {
  it('pairing list, pairing approved and activities in an empty folder leave it empty', async () => {
    const dir = await makeTempDir('tbd-cli-empty-');
    try {
      for (const args of [['pairing', 'list'], ['pairing', 'approved'], ['activities'], ['activities', '--json']]) {
        const res = await runCli(args, { cwd: dir });
        assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
      }
      assert.deepEqual(await fs.readdir(dir), []);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
