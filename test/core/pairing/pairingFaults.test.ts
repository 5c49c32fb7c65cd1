/**
 * Issue 8 §2: a pairing store that cannot be written must not become silence
 * or a crash. Each fault here is real (a directory where pairing.json should
 * be, a lock another process holds); EACCES on a read-only state dir needs a
 * non-root process and is covered through the CLI (test/cli/pairingFaults.test.ts).
 */
import { strict as assert } from 'node:assert';
import * as nodeFs from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startGateway, personalMessage, type RunningGateway } from '../../support/gatewayHarness';
import { readOnlyLockFs } from '../../support/readOnlyLockFs';
import { PairingStore } from '../../../src/core/pairing/pairingStore';
import { MemoryLogger } from '../../../src/core/logger';
import { approvePairing } from '../../../src/core/pairing/pairingActions';
import { withStateLock, StateFileError } from '../../../src/core/pairing/stateFile';
import { REASONS } from '../../../src/core/reasons';
import type { ActivitySender } from '../../../src/core/gateway/activitySender';

const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
const STRANGER = { id: '29:stranger', name: 'Stranger', aadObjectId: '00000000-0000-4000-8000-00000000aaaa' };
const FRIEND = { id: '29:friend', name: 'Friend', aadObjectId: '00000000-0000-4000-8000-00000000bbbb' };

const okSender: ActivitySender = { send: async () => ({ ok: true, status: 201 }) };

describe('pairing store faults (issue 8 §2)', function () {
  this.timeout(30_000);
  let gw: RunningGateway | undefined;
  const cleanup: (() => Promise<unknown> | void)[] = [];

  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
    for (const fn of cleanup.splice(0)) await fn();
  });

  /**
   * A pairing store with STRANGER's request pending, whose pairing.json stays readable but
   * cannot be replaced (chattr +i): an approval's first write (allowFrom.json) succeeds and
   * its second (pairing.json) fails. Skips the test where immutable files are not available.
   */
  async function pendingRequestWithImmutableStore(test: Mocha.Context): Promise<{ stateDir: string; file: string; store: PairingStore; logger: MemoryLogger; code: string }> {
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-fault-'));
    const file = path.join(stateDir, 'pairing.json');
    const logger = new MemoryLogger();
    const store = new PairingStore({ file, ttlMinutes: 60, maxPending: 20, logger });
    const created = await store.touch({ id: STRANGER.id, meta: { name: STRANGER.name, aadObjectId: STRANGER.aadObjectId } });
    assert.equal(created.kind, 'created');
    if (spawnSync('chattr', ['+i', file]).status !== 0) {
      store.close();
      await fs.rm(stateDir, { recursive: true, force: true });
      test.skip(); // needs root and a file system with immutable files (ext4, xfs, btrfs)
    }
    cleanup.push(async () => {
      spawnSync('chattr', ['-i', file]);
      store.close();
      await fs.rm(stateDir, { recursive: true, force: true });
    });
    return { stateDir, file, store, logger, code: (created as { request: { code: string } }).request.code };
  }

  async function gatewayWithStore(stateDir: string, store: PairingStore): Promise<RunningGateway> {
    cleanup.push(() => store.close());
    return startGateway({ dmPolicy: 'pairing', allowFrom: [FRIEND.aadObjectId], bot: { echo: true } }, { sender: okSender, pairing: store, stateDir });
  }

  it('a directory where pairing.json should be: the DM is answered 503 pairing-store-unavailable, recorded, logged once with what to do; others are still served', async () => {
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-fault-'));
    cleanup.push(() => fs.rm(stateDir, { recursive: true, force: true }));
    await fs.mkdir(path.join(stateDir, 'pairing.json'));
    const logger = new MemoryLogger();
    const store = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20, logger });
    gw = await gatewayWithStore(stateDir, store);

    const res = await gw.post(personalMessage(STRANGER, 'hello?', SERVICE_URL));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'pairing-store-unavailable');
    assert.equal(res.headers.get('x-teams-bot-dev-fate'), 'failed');
    assert.equal(res.json.reason, 'pairing-store-unavailable');
    assert.ok('pairing-store-unavailable' in REASONS, 'the reason is in the vocabulary');
    assert.match(res.json.detail, /is a directory\. Move that directory out of the way/);

    const record = await gw.waitForRecord((r) => r.summary.senderId === STRANGER.id);
    assert.equal(record.reason, 'pairing-store-unavailable');
    assert.equal(record.fate, 'failed');
    assert.equal(record.status, 503);

    const lines = gw.logger.lines.filter((l) => l.message.includes('reason=pairing-store-unavailable'));
    assert.equal(lines.length, 1, 'logged once');
    assert.equal(lines[0].level, 'error');
    assert.match(lines[0].message, /Move that directory out of the way/);

    const friend = await gw.post(personalMessage(FRIEND, 'still there?', SERVICE_URL));
    assert.equal(friend.status, 200, 'an allowed sender is still delivered');
    assert.equal(friend.headers.get('x-teams-bot-dev-reason'), 'echo');

    // Once fixed, the sender's next message gets a code.
    await fs.rmdir(path.join(stateDir, 'pairing.json'));
    const again = await gw.post(personalMessage(STRANGER, 'hello again', SERVICE_URL));
    assert.equal(again.json.reason, 'dm-pairing-pending');
    assert.ok(store.getBySender(STRANGER.id));
  });

  it('a lock another process holds: answered with the reason once the bounded wait is over, naming the lock to delete', async () => {
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-fault-'));
    cleanup.push(() => fs.rm(stateDir, { recursive: true, force: true }));
    // proper-lockfile's lock is a directory beside the file; a fresh one is "held".
    await fs.mkdir(path.join(stateDir, 'pairing.json.lock'));
    const store = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20, lockWaitMs: 200 });
    gw = await gatewayWithStore(stateDir, store);

    const res = await gw.post(personalMessage(STRANGER, 'hello?', SERVICE_URL));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'pairing-store-unavailable');
    assert.match(res.json.detail, /another process holds its lock .*pairing\.json\.lock.*delete/);
    const friend = await gw.post(personalMessage(FRIEND, 'hi', SERVICE_URL));
    assert.equal(friend.headers.get('x-teams-bot-dev-reason'), 'echo');
  });

  it('a lock that fails for any reason but "held" is not retried (a read-only dir used to cost ~20 s of retries)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-fault-'));
    cleanup.push(() => fs.rm(dir, { recursive: true, force: true }));
    const readOnly = readOnlyLockFs();
    // A wait budget far beyond the test's timeout: only an immediate failure lets this test pass.
    const attempt = withStateLock(path.join(dir, 'pairing.json'), { lockWaitMs: 10 * 60_000, logger: new MemoryLogger(), fs: readOnly.fs }, async () => 'locked');
    await assert.rejects(attempt, (err: unknown) => {
      assert.ok(err instanceof StateFileError);
      assert.equal(err.code, 'EACCES');
      assert.match(err.message, /permission denied\. Make .* writable/);
      return true;
    });
    assert.equal(readOnly.mkdirCalls(), 1, 'tried once, not retried');
  });
  it('an approval whose pairing.json write fails is undone: the sender is not approved and the request stays pending (all or nothing)', async function () {
    const { stateDir, file, store, code } = await pendingRequestWithImmutableStore(this);
    const before = await fs.readFile(file, 'utf8');
    await assert.rejects(approvePairing({ configFile: path.join(stateDir, 'teams-bot.config.json'), store, logger: new MemoryLogger() }, code), (err: unknown) => {
      assert.ok(err instanceof StateFileError);
      assert.equal(err.operation, 'write');
      return true;
    });
    const allow = JSON.parse(await fs.readFile(path.join(stateDir, 'allowFrom.json'), 'utf8'));
    assert.deepEqual(allow.allowFrom, [], 'the allow-store entry was undone');
    assert.equal(allow.senders, undefined);
    assert.equal(store.isApproved({ id: STRANGER.id, aadObjectId: STRANGER.aadObjectId }), false);
    assert.equal(await fs.readFile(file, 'utf8'), before);
    assert.equal(store.getByCode(code)?.id, STRANGER.id, 'still pending');
  });

  it('a failed approval is undone under the pairing lock and removes only its own entry: another writer\'s entry stays, another gateway never sees the sender approved', async function () {
    const { stateDir, file, store, logger, code } = await pendingRequestWithImmutableStore(this);
    const allowFile = path.join(stateDir, 'allowFrom.json');
    let otherLook: Promise<string[]> | undefined;
    const off = store.approved.on('changed', (list) => {
      if (!list.some((s) => s.entry === STRANGER.aadObjectId)) return;
      off();
      // Right after the approval's allowFrom.json write: someone else adds FRIEND
      // (the file changes under us), and another gateway, as it does before issuing
      // a code, takes pairing.json's lock and reads who is approved.
      const onDisk = JSON.parse(nodeFs.readFileSync(allowFile, 'utf8'));
      onDisk.allowFrom.push(FRIEND.aadObjectId);
      nodeFs.writeFileSync(allowFile, JSON.stringify(onDisk));
      otherLook = withStateLock(file, { lockWaitMs: 5_000, logger: new MemoryLogger() }, async () => JSON.parse(await fs.readFile(allowFile, 'utf8')).allowFrom as string[]);
    });
    await assert.rejects(store.approve(code, 'test'), StateFileError);
    assert.ok(otherLook, 'the allow store changed during the approval');
    assert.deepEqual(await otherLook, [FRIEND.aadObjectId], 'the other gateway never saw the half-done approval');
    const allow = JSON.parse(await fs.readFile(allowFile, 'utf8'));
    assert.deepEqual(allow.allowFrom, [FRIEND.aadObjectId], 'only the approval\'s own entry was undone; the other writer\'s stays');
    await store.approved.refresh();
    assert.equal(store.isApproved({ id: STRANGER.id, aadObjectId: STRANGER.aadObjectId }), false);
    assert.equal(store.isApproved({ id: FRIEND.id, aadObjectId: FRIEND.aadObjectId }), true);
  });
});
