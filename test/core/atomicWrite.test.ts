import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/core/atomicWrite';
import { addToAllowFrom, editConfigFile } from '../../src/core/config/configWriter';

const AAD = '11111111-1111-4111-8111-111111111111';
const CONFIG = '// shared team config\n{\n  "dmPolicy": "pairing",\n  "allowFrom": []\n}\n';

const modeOf = async (file: string) => (await fs.stat(file)).mode & 0o777;

describe('config writes through symlinks, keeping the mode (atomicWrite / configWriter)', function () {
  if (process.platform === 'win32') return; // symlinks need privileges there; POSIX modes do not apply
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-atomic-'))));
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('approving through a symlinked teams-bot.config.json writes the target; the link stays a link; the mode is kept', async () => {
    await fs.mkdir(path.join(dir, 'shared'));
    const target = path.join(dir, 'shared', 'team.config.json');
    await fs.writeFile(target, CONFIG);
    await fs.chmod(target, 0o640);
    const link = path.join(dir, 'teams-bot.config.json');
    await fs.symlink('shared/team.config.json', link); // relative, as `ln -s` usually makes it

    assert.equal(await addToAllowFrom(link, AAD), true);

    assert.ok((await fs.lstat(link)).isSymbolicLink(), 'the link was replaced by a regular file');
    assert.equal(await fs.readlink(link), 'shared/team.config.json');
    const text = await fs.readFile(target, 'utf8');
    assert.match(text, /^\/\/ shared team config/);
    assert.ok(text.includes(AAD));
    assert.equal(await modeOf(target), 0o640);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['shared', 'teams-bot.config.json'], 'no temp or lock files left beside the link');
    assert.deepEqual(await fs.readdir(path.join(dir, 'shared')), ['team.config.json']);
  });

  it('a chain of links is followed to the end; a dangling link creates its target', async () => {
    const target = path.join(dir, 'real.json');
    await fs.symlink(target, path.join(dir, 'b.json'));
    await fs.symlink(path.join(dir, 'b.json'), path.join(dir, 'a.json'));
    await editConfigFile(path.join(dir, 'a.json'), [{ path: ['dmPolicy'], value: 'open' }]);
    assert.ok((await fs.lstat(path.join(dir, 'a.json'))).isSymbolicLink());
    assert.ok((await fs.lstat(path.join(dir, 'b.json'))).isSymbolicLink());
    assert.match(await fs.readFile(target, 'utf8'), /"dmPolicy": "open"/);
  });

  it('a regular file keeps its mode (0644 stays 0644, 0600 stays 0600); a new file is 0600', async () => {
    const open = path.join(dir, 'open.json');
    await fs.writeFile(open, CONFIG);
    await fs.chmod(open, 0o644);
    await addToAllowFrom(open, AAD);
    assert.equal(await modeOf(open), 0o644);

    const closed = path.join(dir, 'closed.json');
    await fs.writeFile(closed, CONFIG);
    await fs.chmod(closed, 0o600);
    await writeFileAtomic(closed, '{}\n');
    assert.equal(await modeOf(closed), 0o600);

    const fresh = path.join(dir, 'fresh.json');
    await writeFileAtomic(fresh, '{}\n');
    assert.equal(await modeOf(fresh), 0o600);
  });
});
