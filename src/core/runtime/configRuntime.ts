/**
 * The entry of dist/config.js (outside core/config, so that openclaw's checks can
 * load with it without config importing openclaw): config parsing and validation (ajv). The
 * extension loads it when it first checks a config file, not at activation.
 */
export { parseConfigText, loadConfigFile, requireValidConfig, ConfigInvalidError, CONFIG_FILE_NAME } from '../config/configLoader';
export type { LoadedConfig } from '../config/configLoader';
export { formatDiagnostic } from '../config/configDiagnostic';
export type { ConfigDiagnostic } from '../config/configDiagnostic';
// openclaw.json's checks reuse the same validator, so they load with it (the OpenClaw view's Problems).
export { openclawConfigDiagnostics } from '../openclaw/openclawDiagnostics';
