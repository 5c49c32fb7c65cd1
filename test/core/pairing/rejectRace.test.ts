/**
 * A reject that loses the race to an approval made by another process must
 * not report "Rejected": the sender got in. rejectPairing uses what the
 * locked write found, not what it looked up a moment before.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PairingStore } from '../../../src/core/pairing/pairingStore';
import { MemoryLogger } from '../../../src/core/logger';
import { approvePairing, rejectPairing, PairingResolvedElsewhereError } from '../../../src/core/pairing/pairingActions';

const STRANGER = { id: '29:stranger', name: 'Stranger', aadObjectId: '00000000-0000-4000-8000-00000000aaaa' };

describe('pairing: a reject racing another process', function () {
  this.timeout(20_000);
  let dir: string;
  const stores: PairingStore[] = [];

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-reject-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) s.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function open(): PairingStore {
    const store = new PairingStore({ file: path.join(dir, 'pairing.json'), ttlMinutes: 60, maxPending: 20, logger: new MemoryLogger() });
    stores.push(store);
    return store;
  }

  /** `rejecter` looks the code up, then `approver` (another process) approves it before the rejection is written. */
  async function raceAfterLookup(rejecter: PairingStore, sideEffect: (code: string) => Promise<unknown>): Promise<{ code: string; logger: MemoryLogger; attempt: Promise<unknown> }> {
    const created = await rejecter.touch({ id: STRANGER.id, meta: { name: STRANGER.name, aadObjectId: STRANGER.aadObjectId } });
    assert.equal(created.kind, 'created');
    const code = (created as { request: { code: string } }).request.code;
    const resolve = rejecter.resolve.bind(rejecter);
    rejecter.resolve = async (c, outcome) => {
      await sideEffect(c);
      return resolve(c, outcome);
    };
    const logger = new MemoryLogger();
    return { code, logger, attempt: rejectPairing({ configFile: path.join(dir, 'teams-bot.config.json'), store: rejecter, logger }, code) };
  }

  it('approved elsewhere between look-up and write: an error saying the sender was approved, not "Rejected"', async () => {
    const rejecter = open();
    const approver = open();
    const { code, logger, attempt } = await raceAfterLookup(rejecter, (c) => approvePairing({ configFile: path.join(dir, 'teams-bot.config.json'), store: approver, logger: new MemoryLogger() }, c));
    await assert.rejects(attempt, (err: unknown) => {
      assert.ok(err instanceof PairingResolvedElsewhereError);
      assert.equal(err.approved, true);
      assert.match(err.message, new RegExp(`${code} was approved elsewhere .* not rejected`));
      return true;
    });
    assert.ok(!logger.lines.some((l) => /pairing rejected/.test(l.message)), 'no "rejected" log line');
    await rejecter.load();
    assert.equal(rejecter.isApproved(STRANGER), true, 'the approval stands');
  });

  it('rejected elsewhere (or expired) in between: an error saying nothing was left to reject', async () => {
    const rejecter = open();
    const other = open();
    const { attempt } = await raceAfterLookup(rejecter, async (c) => {
      await other.load();
      return other.resolve(c, 'rejected');
    });
    await assert.rejects(attempt, (err: unknown) => err instanceof PairingResolvedElsewhereError && !err.approved && /nothing was left to reject/.test(err.message));
  });
});
