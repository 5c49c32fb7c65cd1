import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActivityLog, readActivities, type RecordInput } from '../../../src/core/activity/activityLog';

const input = (text: string): RecordInput => ({
  direction: 'inbound', source: 'loopback', status: 200, latencyMs: 1, auth: 'local', fate: 'delivered', reason: 'echo', summary: { type: 'message', text },
});

/** The log file is shared with other processes (the CLI, another VS Code window): it can vanish under the writer. */
describe('activity log: the file removed under a running writer', () => {
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-log-shared-'))));
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('Clear Activities in another window: records made after it are on disk, not lost in the removed file', async () => {
    const writer = new ActivityLog({ dir });
    const otherWindow = new ActivityLog({ dir });
    for (const t of ['a', 'b', 'c']) writer.record(input(t));
    await writer.flush();
    await otherWindow.clear();
    for (const t of ['d', 'e']) writer.record(input(t));
    await writer.flush();
    assert.deepEqual((await readActivities(dir)).map((r) => r.summary.text), ['e', 'd']);
    await writer.close();
    await otherWindow.close();
  });

  it('the file deleted by hand: the next batch starts a new one', async () => {
    const writer = new ActivityLog({ dir });
    writer.record(input('before'));
    await writer.flush();
    await fs.unlink(path.join(dir, 'activities.jsonl'));
    writer.record(input('after'));
    await writer.close();
    assert.deepEqual((await readActivities(dir)).map((r) => r.summary.text), ['after']);
  });
});
