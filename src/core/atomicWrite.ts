import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Replace a file so that readers see either the old content or the new one,
 * never a torn mix: another process (the CLI, the extension) may read the file
 * at any moment, and a crash mid-write must not leave half a JSON document.
 *
 * The temp file lives in the same directory because rename is only atomic
 * within one filesystem. Its content is fsynced before the rename, otherwise a
 * power loss can leave the new name pointing at an empty file.
 *
 * A symlink is written through, not replaced: developers link a shared
 * teams-bot.config.json into several checkouts, and renaming over the link
 * would silently fork it. An existing file keeps its permission bits (a rename
 * installs the temp file's); a new one gets `mode` (default 0600) under the umask.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  const target = await resolveSymlinks(file);
  const keptMode = await existingMode(target);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, 'wx', keptMode ?? options.mode ?? 0o600);
    // open() applies the umask; the file being replaced had exactly these bits.
    if (keptMode !== undefined) await handle.chmod(keptMode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await renameWithRetry(tmp, target);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

/**
 * The path a write to `file` must replace: the final target of a chain of
 * symlinks, even one that does not exist yet (a dangling link is written
 * through, creating its target). Not fs.realpath, which fails on a missing file.
 */
export async function resolveSymlinks(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let stat;
    try {
      stat = await fsp.lstat(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return current;
      throw err;
    }
    if (!stat.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), await fsp.readlink(current));
  }
  throw Object.assign(new Error(`${file}: too many levels of symbolic links`), { code: 'ELOOP' });
}

async function existingMode(file: string): Promise<number | undefined> {
  try {
    return (await fsp.stat(file)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * On Windows a rename onto a file that another process (a reader, an
 * antivirus scanner) has open fails with EPERM/EBUSY for a moment; POSIX never
 * does this, so there the first error is final.
 */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fsp.rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const transient = process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
      if (!transient || attempt >= 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  }
}

/** Makes the rename itself durable; Windows cannot open directories, which is fine there. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    /* durability of the directory entry is best effort; the data itself is already synced */
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
