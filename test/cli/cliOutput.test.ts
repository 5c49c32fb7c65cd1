import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ActivityLog } from '../../src/core/activity/activityLog';
import { PairingStore } from '../../src/core/pairing/pairingStore';
import { CLI_JS, childEnv, makeTempDir, requireBuiltCli, runCli } from '../support/cli';

/**
 * The CLI's output read the way `teams-bot-dev activities --json | jq` reads
 * it: through a pipe, by a separate process. A pipe holds 64 KiB; everything
 * beyond must still arrive, and a reader that stops early (`| head -1`) must
 * not make the CLI print a stack trace.
 */
describe('CLI output through a pipe', function () {
  let dir: string;
  let stateDir: string;
  const RECORDS = 300;

  before(async () => {
    requireBuiltCli();
    dir = await makeTempDir('tbd-cli-pipe-');
    stateDir = path.join(dir, '.teams-bot');
    const log = new ActivityLog({ dir: stateDir, capacity: RECORDS });
    for (let i = 0; i < RECORDS; i++) {
      log.record({
        direction: 'inbound', source: 'loopback', status: 200, latencyMs: 1, auth: 'local', fate: 'delivered', reason: 'dm-open',
        summary: { type: 'message', senderId: '29:carol', text: `message ${i}` },
        activity: { type: 'message', id: `m-${i}`, text: `message ${i} ${'x'.repeat(5000)}` },
      });
    }
    await log.close();
    const store = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 1000 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.touch({ id: `29:sender-${i}`, meta: { name: `Sender ${i} ${'n'.repeat(800)}` } })));
    store.close();
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  it(`activities --json: a log over 1 MB arrives whole through a pipe (${RECORDS} records, valid JSON)`, async () => {
    const { size } = await fs.stat(path.join(stateDir, 'activities.jsonl'));
    assert.ok(size > 1024 * 1024, `the fixture log is ${size} bytes; it must be over 1 MB`);
    const res = await runCli(['activities', '--json', '--limit', '1000', '--state-dir', stateDir], { cwd: dir });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(res.stdout.length > 1024 * 1024, `got ${res.stdout.length} characters`);
    const records = JSON.parse(res.stdout) as { activity: { id: string } }[];
    assert.equal(records.length, RECORDS);
    assert.equal(records[0].activity.id, `m-${RECORDS - 1}`, 'newest first');
    assert.equal(records[RECORDS - 1].activity.id, 'm-0', 'the oldest record, at the very end of the output, arrived');
  });

  it('pairing list --json: 1000 requests (over 512 KiB) arrive whole through a pipe', async () => {
    const res = await runCli(['pairing', 'list', '--json', '--state-dir', stateDir, '--config', path.join(dir, 'none.json')], { cwd: dir });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(res.stdout.length > 512 * 1024, `got ${res.stdout.length} characters`);
    assert.equal((JSON.parse(res.stdout) as unknown[]).length, 1000);
  });

  it('a reader that closes the pipe after the first line (| head -1): exit 0, no stack trace, nothing on stderr', async () => {
    const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; first: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_JS, 'activities', '--json', '--limit', '1000', '--state-dir', stateDir], { cwd: dir, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let first = '';
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        first += d;
        const nl = first.indexOf('\n');
        if (nl >= 0) {
          first = first.slice(0, nl);
          // What head does after its line: close its end of the pipe while the CLI still has megabytes to write.
          child.stdout!.destroy();
        }
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, first, stderr }));
    });
    assert.equal(result.first, '[');
    assert.equal(result.stderr, '', 'no stack trace, no error line');
    assert.equal(result.signal, null);
    assert.equal(result.code, 0);
  });
});
