/**
 * `teamsbot activities` with invoke contract warnings on a record: --json
 * carries them as recorded, the table marks the row (⚠ and the code) and
 * lists what to fix under it; records without warnings look as before.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ActivityLog } from '../../src/core/activity/activityLog';
import type { ActivityRecord } from '../../src/core/activity/activityRecord';
import { checkInvokeAnswer } from '../../src/core/invokeContract/checkInvokeAnswer';
import { makeTempDir, requireBuiltCli, runCli } from '../support/cli';

describe('CLI activities: invoke contract warnings', function () {
  this.timeout(60_000);
  let dir: string;
  let stateDir: string;

  before(function () {
    this.timeout(5 * 60_000);
    requireBuiltCli();
  });
  beforeEach(async () => {
    dir = await makeTempDir('tbd-cli-warn-');
    stateDir = path.join(dir, 'state');
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('--json includes the warnings; the table marks the row and says what to fix', async () => {
    const log = new ActivityLog({ dir: stateDir });
    await log.load();
    const invoke = { type: 'invoke', name: 'task/fetch' };
    // The warnings the gateway would record for an answer that is both late and the wrong shape.
    const warnings = checkInvokeAnswer(invoke, { status: 200, body: { status: 200, body: {} }, latencyMs: 16_000 });
    assert.equal(warnings.length, 2);
    const summary = { type: 'invoke', name: 'task/fetch', senderId: '29:carol', senderName: 'Carol Tester' };
    log.record({ direction: 'inbound', source: 'loopback', status: 200, latencyMs: 3, auth: 'local', fate: 'delivered', reason: 'dm-allowlisted', summary: { type: 'message', senderId: '29:carol', text: 'fine' } });
    const warned = log.record({ direction: 'inbound', source: 'loopback', status: 200, latencyMs: 16_001, auth: 'local', fate: 'delivered', reason: 'invoke', summary, warnings });
    await log.close();

    const args = ['--config', path.join(dir, 'none.json'), '--state-dir', stateDir];
    const json = await runCli(['activities', '--json', ...args]);
    assert.equal(json.code, 0, json.stderr);
    const records = JSON.parse(json.stdout) as ActivityRecord[];
    assert.deepEqual(records[0].warnings, warned.warnings);
    assert.deepEqual(records[0].warnings?.map((w) => w.code), ['invoke-late', 'invoke-body']);
    assert.equal(Object.hasOwn(records[1], 'warnings'), false);

    const table = await runCli(['activities', ...args]);
    assert.equal(table.code, 0, table.stderr);
    const [header, first, second, blank, title, ...lines] = table.stdout.trimEnd().split('\n');
    assert.match(header, /^TIME\s+DIR\s+STATUS\s+FATE\s+REASON/);
    assert.match(first, /\sdelivered\s+invoke ⚠ invoke-late,invoke-body\s+invoke\s+Carol Tester/);
    assert.doesNotMatch(second, /⚠/);
    assert.equal(blank, '');
    assert.equal(title, 'Warnings:');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d task\/fetch: invoke-late: the bot answered the task\/fetch invoke after 16 s, but Teams waits only 15 s/);
    assert.match(lines[1], /task\/fetch: invoke-body: .*it looks like an InvokeResponse/);
  });
});
