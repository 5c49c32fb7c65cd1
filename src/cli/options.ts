import * as path from 'node:path';
import { CONFIG_FILE_NAME } from '../core/config/configLoader';

/** --config and --state-dir, accepted by every command, with the documented defaults. */
export interface CommonOptions {
  config?: string;
  stateDir?: string;
}

export function resolveCommon(opts: CommonOptions): { configFile: string; stateDir: string } {
  const configFile = path.resolve(opts.config ?? CONFIG_FILE_NAME);
  const stateDir = path.resolve(opts.stateDir ?? '.teams-bot');
  return { configFile, stateDir };
}
