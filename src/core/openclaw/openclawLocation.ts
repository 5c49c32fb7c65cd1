import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where an OpenClaw install keeps its state, by OpenClaw's own rules, so the
 * extension looks where the CLI will: OPENCLAW_STATE_DIR, else
 * $OPENCLAW_HOME/.openclaw, else ~/.openclaw. The teamsBot.openclaw.stateDir
 * setting overrides all three (and is then passed to the CLI as
 * OPENCLAW_STATE_DIR, so both agree). OPENCLAW_CONFIG_PATH moves only the config.
 */
export interface OpenClawLocation {
  stateDir: string;
  /** openclaw.json (JSON5). */
  configPath: string;
  /** The SQLite store that holds pairing requests and approved senders. */
  storePath: string;
  /** Which rule chose stateDir, for messages ("from OPENCLAW_STATE_DIR"). */
  source: 'setting' | 'OPENCLAW_STATE_DIR' | 'OPENCLAW_HOME' | 'home';
}

export function resolveOpenClawLocation(opts: { stateDirSetting?: string; env?: NodeJS.ProcessEnv; homedir?: string } = {}): OpenClawLocation {
  const env = opts.env ?? process.env;
  const home = opts.homedir ?? os.homedir();
  const expand = (p: string) => path.resolve(p.replace(/^~(?=$|[\\/])/, home));
  let stateDir: string;
  let source: OpenClawLocation['source'];
  if (opts.stateDirSetting?.trim()) {
    stateDir = expand(opts.stateDirSetting.trim());
    source = 'setting';
  } else if (env.OPENCLAW_STATE_DIR?.trim()) {
    stateDir = expand(env.OPENCLAW_STATE_DIR.trim());
    source = 'OPENCLAW_STATE_DIR';
  } else if (env.OPENCLAW_HOME?.trim()) {
    stateDir = path.join(expand(env.OPENCLAW_HOME.trim()), '.openclaw');
    source = 'OPENCLAW_HOME';
  } else {
    stateDir = path.join(home, '.openclaw');
    source = 'home';
  }
  // An explicit state dir setting wins over OPENCLAW_CONFIG_PATH too: the user pointed at one install.
  const configPath =
    source !== 'setting' && env.OPENCLAW_CONFIG_PATH?.trim() ? expand(env.OPENCLAW_CONFIG_PATH.trim()) : path.join(stateDir, 'openclaw.json');
  return { stateDir, configPath, storePath: path.join(stateDir, 'state', 'openclaw.sqlite'), source };
}

/** The state dir exists: OpenClaw has run here (the first CLI call creates it). */
export function stateDirExists(location: OpenClawLocation): boolean {
  try {
    return fs.statSync(location.stateDir).isDirectory();
  } catch {
    return false;
  }
}
