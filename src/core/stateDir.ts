import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/**
 * The one place that creates the state dir (`.teams-bot/`: pairing requests,
 * the activity log, the gateway lock). It is created on the first write only,
 * never when something merely reads or watches it: opening a folder in VS Code
 * must not leave a new directory in the workspace.
 *
 * A directory created here gets a `.gitignore` of `*`, because the activity
 * log holds message bodies that must not end up in a commit. A directory that
 * already exists is the user's (or an older version's) and is left as it is.
 */
export const STATE_DIR_GITIGNORE = '# Created by teams-bot-dev: pairing requests and the activity log (message bodies) stay out of git.\n*\n';

export async function ensureStateDir(dir: string): Promise<void> {
  // mkdir reports the first directory it created, undefined when `dir` was already there.
  if ((await fsp.mkdir(dir, { recursive: true })) === undefined) return;
  try {
    await fsp.writeFile(path.join(dir, '.gitignore'), STATE_DIR_GITIGNORE, { flag: 'wx' });
  } catch (err) {
    // Another process created the directory and wrote the file at the same moment.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
