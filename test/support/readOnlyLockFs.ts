import * as nodeFs from 'node:fs';

/**
 * A file system for proper-lockfile (its `fs` option) on which every mkdir fails
 * with EACCES, as on a read-only state dir. The tests run as root, which ignores
 * permissions, so a chmod'ed directory would not refuse anything; this stand-in
 * does, and counts the attempts (a lock error that is not "held" must not be retried).
 */
export function readOnlyLockFs(): { fs: typeof nodeFs; mkdirCalls(): number } {
  let calls = 0;
  const fs = {
    ...nodeFs,
    mkdir: ((p: string, cb: (err: NodeJS.ErrnoException | null) => void) => {
      calls++;
      setImmediate(() => cb(Object.assign(new Error(`EACCES: permission denied, mkdir '${p}'`), { code: 'EACCES' })));
    }) as unknown as typeof nodeFs.mkdir,
  };
  return { fs, mkdirCalls: () => calls };
}
