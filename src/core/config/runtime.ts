/**
 * The entry of dist/config.js: config parsing and validation (ajv). The
 * extension loads it when it first checks a config file, not at activation.
 */
export { parseConfigText, loadConfigFile, requireValidConfig, ConfigInvalidError, CONFIG_FILE_NAME } from './configLoader';
export type { LoadedConfig } from './configLoader';
export { formatDiagnostic } from './configDiagnostic';
export type { ConfigDiagnostic } from './configDiagnostic';
// openclaw.json's checks reuse the same validator, so they load with it (the OpenClaw view's Problems).
export { openclawConfigDiagnostics } from '../openclaw/openclawDiagnostics';
