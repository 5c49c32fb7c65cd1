import { strict as assert } from 'node:assert';
import * as nodeFs from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireFileLock, withFileLock } from '../../src/core/fileLock';

/** A stand-in fs whose mkdir (proper-lockfile's lock step) always fails with `code`, counting the attempts. */
function failingMkdir(code: string): { fs: typeof nodeFs; calls: () => number } {
  let calls = 0;
  const fake = {
    ...nodeFs,
    mkdir: ((p: string, cb: (err: NodeJS.ErrnoException | null) => void) => {
      calls++;
      setImmediate(() => cb(Object.assign(new Error(`${code}: mkdir '${p}'`), { code })));
    }) as unknown as typeof nodeFs.mkdir,
  };
  return { fs: fake, calls: () => calls };
}

describe('fileLock: the one inter-process lock (pairing files, gateway.lock, config writes)', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-lock-'))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  for (const code of ['EACCES', 'EROFS', 'ENOSPC']) {
    it(`${code} is not retried, however long the wait budget`, async () => {
      const fake = failingMkdir(code);
      await assert.rejects(acquireFileLock(path.join(dir, 'f.json'), { lockWaitMs: 10 * 60_000, fs: fake.fs }), (err: NodeJS.ErrnoException) => err.code === code);
      assert.equal(fake.calls(), 1);
    });
  }

  it('a held lock (ELOCKED) is waited for, and taken once its holder releases it', async () => {
    const file = path.join(dir, 'f.json');
    const release = await acquireFileLock(file, { lockWaitMs: 1_000 });
    let releasedFirst = false;
    const second = withFileLock(file, { lockWaitMs: 60_000 }, async () => releasedFirst);
    await new Promise((resolve) => setTimeout(resolve, 50));
    releasedFirst = true;
    await release();
    assert.equal(await second, true);
  });

  it('a lock held past the wait budget fails with ELOCKED, fn never runs', async () => {
    const file = path.join(dir, 'f.json');
    const release = await acquireFileLock(file, { lockWaitMs: 1_000 });
    let ran = false;
    await assert.rejects(withFileLock(file, { lockWaitMs: 30 }, async () => (ran = true)), (err: NodeJS.ErrnoException) => err.code === 'ELOCKED');
    assert.equal(ran, false);
    await release();
  });
});
