/**
 * The notify step of an approval made with no gateway running (CLI, and the
 * extension with the webhook stopped): one core helper, approvalNotifier.
 * Whatever the config file is (missing, invalid, notifyOnApprove off), the
 * approval stands and the result says why no notice went out; nothing throws
 * after the store has approved.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PairingStore } from '../../../src/core/pairing/pairingStore';
import { MemoryLogger } from '../../../src/core/logger';
import { approvePairing } from '../../../src/core/pairing/pairingActions';
import { approvalNotifier } from '../../../src/core/gateway/approvalNotice';

describe('approvalNotifier (approvals without a running gateway)', function () {
  this.timeout(30_000);
  let dir: string;
  let store: PairingStore;
  const logger = new MemoryLogger();

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'approval-notifier-'));
    store = new PairingStore({ file: path.join(dir, 'pairing.json'), ttlMinutes: 60, maxPending: 10, logger });
    await store.load();
  });
  afterEach(async () => {
    store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function pendingCode(): Promise<string> {
    // No serviceUrl/conversation: a notice that is attempted says there is nowhere to reply.
    const touched = await store.touch({ id: '29:carol', meta: { name: 'Carol', aadObjectId: '00000000-0000-4000-8000-00000000cccc' } });
    assert.ok(touched.kind === 'created');
    return touched.request.code;
  }

  async function approveWith(configFile: string) {
    return approvePairing({ configFile, store, logger, via: 'vscode', notify: approvalNotifier(configFile, {}, logger) }, await pendingCode());
  }

  it('no config file: the defaults apply, the approval stands and the notice is attempted (no throw)', async () => {
    const result = await approveWith(path.join(dir, 'teams-bot.config.json'));
    assert.equal(result.added, true);
    assert.equal(result.notice.sent, false);
    assert.match(result.notice.detail, /no conversation to reply to/);
    assert.ok(store.isApproved({ id: '29:carol', aadObjectId: '00000000-0000-4000-8000-00000000cccc' }));
    assert.match(store.approved.list().find((s) => s.id === '29:carol')?.approvedBy ?? '', /^vscode/);
  });

  it('pairing.notifyOnApprove off: no notice, saying so', async () => {
    const file = path.join(dir, 'teams-bot.config.json');
    await fs.writeFile(file, JSON.stringify({ pairing: { notifyOnApprove: false } }));
    const result = await approveWith(file);
    assert.equal(result.added, true);
    assert.deepEqual(result.notice, { sent: false, detail: 'no notice sent (pairing.notifyOnApprove is off)' });
  });

  it('an invalid config file: the approval stands, the notice names the file', async () => {
    const file = path.join(dir, 'teams-bot.config.json');
    await fs.writeFile(file, '{ "dmPolicy": "sometimes" }');
    const result = await approveWith(file);
    assert.equal(result.added, true);
    assert.equal(result.notice.sent, false);
    assert.ok(result.notice.detail.includes(`${file} is invalid`), result.notice.detail);
  });

  it('an unreadable config path (a directory): a notice not sent with why, not an error', async () => {
    const file = path.join(dir, 'teams-bot.config.json');
    await fs.mkdir(file);
    const result = await approveWith(file);
    assert.equal(result.added, true);
    assert.equal(result.notice.sent, false);
    assert.match(result.notice.detail, /^no notice sent: Cannot read/);
  });
});
