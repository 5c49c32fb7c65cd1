import type { TeamsBotSecrets } from './configTypes';

/**
 * The environment variables operators already use for Teams bots, and the
 * config key each one overrides. Values from the environment win over the file.
 */
export const ENV_KEYS = {
  MSTEAMS_APP_ID: 'appId',
  MSTEAMS_TENANT_ID: 'tenantId',
  MSTEAMS_AUTH_TYPE: 'authType',
  MSTEAMS_CERTIFICATE_PATH: 'certificatePath',
  MSTEAMS_CERTIFICATE_THUMBPRINT: 'certificateThumbprint',
  MSTEAMS_USE_MANAGED_IDENTITY: 'useManagedIdentity',
  MSTEAMS_MANAGED_IDENTITY_CLIENT_ID: 'managedIdentityClientId',
} as const;

export const APP_PASSWORD_ENV = 'MSTEAMS_APP_PASSWORD';

export type EnvKey = keyof typeof ENV_KEYS;

export interface EnvOverlay {
  /** Keys set from the environment, with the variable each came from. */
  sources: Map<string, EnvKey>;
  secrets: TeamsBotSecrets;
}

/**
 * Writes env values into the raw (not yet validated) config object, so the
 * schema checks them like file values and errors can name the variable.
 */
export function applyEnvOverlay(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): EnvOverlay {
  const sources = new Map<string, EnvKey>();
  for (const [name, key] of Object.entries(ENV_KEYS) as [EnvKey, string][]) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    raw[key] = key === 'useManagedIdentity' ? parseBool(value) : value;
    sources.set(key, name);
  }
  const password = env[APP_PASSWORD_ENV];
  return { sources, secrets: password ? { appPassword: password } : {} };
}

/** "true"/"1"/"yes" are true, "false"/"0"/"no" false; anything else stays a string so the schema rejects it by name. */
function parseBool(value: string): boolean | string {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
}
