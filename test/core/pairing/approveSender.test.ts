import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PairingStore } from '../../../src/core/pairing/pairingStore';
import { MemoryLogger } from '../../../src/core/logger';
import { approveSender, listApproved } from '../../../src/core/pairing/pairingActions';

/** Approve Sender (an Activities row of a personal chat, no pending code): what an approved code grants, personal chats only. */
describe('approveSender (approval without a pending code)', () => {
  let dir: string;
  let store: PairingStore;
  const logger = new MemoryLogger();
  const DAVE = { id: '29:dave', name: 'Dave', aadObjectId: '00000000-0000-4000-8000-00000000dddd', conversationId: 'a:dave' };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'approve-sender-'));
    store = new PairingStore({ file: path.join(dir, 'pairing.json'), ttlMinutes: 60, maxPending: 10, logger });
    await store.load();
  });
  afterEach(async () => {
    store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes the allow store (source "pairing", personal chats only), never a config file; a second time changes nothing', async () => {
    const first = await approveSender({ store, logger, via: 'vscode' }, DAVE);
    assert.deepEqual(first, { entry: DAVE.aadObjectId, added: true });
    assert.ok(store.isApproved(DAVE));
    const views = await listApproved({ store });
    assert.equal(views.length, 1);
    assert.equal(views[0].source, 'pairing');
    assert.equal(views[0].name, 'Dave');
    assert.equal(views[0].conversationId, 'a:dave');
    assert.match(views[0].approvedBy ?? '', /^vscode/);
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.endsWith('.config.json')), []);
    assert.deepEqual(await approveSender({ store, logger, via: 'vscode' }, DAVE), { entry: DAVE.aadObjectId, added: false });
  });
});
