/**
 * The Credential Check: can the bot get its own Bot Framework token with the
 * configured identity, cloud and tenant? It asks Entra ID through the same
 * BotTokenProvider the gateway uses for replies (one mechanism: a check that
 * built its own credential could pass while replies fail), with a fresh
 * provider so no cached token hides a secret that stopped working.
 *
 * The result names the identity, tenant and authority that were used, never
 * the secret or the token. Callers: `teams-bot-dev credentials check`, the
 * command Teams Bot: Check Bot Credentials, and the Delivery Check's hop 6.
 */
import type { TokenCredential } from '@azure/identity';
import { resolveCloud } from '../auth/cloud';
import { APP_PASSWORD_ENV } from '../config/envOverlay';
import type { TeamsBotConfig, TeamsBotSecrets } from '../config/configTypes';
import { BotTokenProvider, type CredentialKind, type TokenFailureCause } from './botTokenProvider';
import type { FixTarget } from './entraErrors';
import type { Logger } from '../logger';
import { formatSeconds } from '../process/processErrors';
import { whenAborted } from '../whenAborted';

export type { FixTarget };

export type CredentialCheckResult =
  | { ok: true; identity: string; detail: string }
  /** fixIn: where the fix is made, when it is in this project (a button: Set App Password…, Open Config at that key). */
  | { ok: false; code?: string /* AADSTS… */; detail: string; fix: string; fixIn?: FixTarget }
  | { skipped: true; detail: string };

export interface CredentialCheckInput {
  config: TeamsBotConfig;
  /** Secret Storage's (extension) or the loaded config's (CLI, which holds MSTEAMS_APP_PASSWORD's value); empty strings count as unset. */
  secrets: TeamsBotSecrets;
  /**
   * MSTEAMS_APP_PASSWORD, when set, is the password used (as when the webhook starts: it wins over Secret
   * Storage), and the result names it; secrets fills in when it is not set. Default: process.env.
   */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** For the whole check; a managed-identity probe off Azure can otherwise sit on its own timeouts. Default 15 s. */
  timeoutMs?: number;
  /** Replaces the credential the config would choose (tests; the Entra authority itself comes from config.cloudOverrides.loginEndpoint). */
  credential?: TokenCredential;
}

const DEFAULT_TIMEOUT_MS = 15_000;

const KIND_TEXT: Record<CredentialKind, string> = {
  'client-secret': 'app password (client secret)',
  'client-certificate': 'certificate',
  'managed-identity': 'managed identity',
  'federated-managed-identity': 'federated credential (managed identity token as assertion)',
  injected: 'injected credential',
};

const SET_PASSWORD_FIX =
  'Run "Teams Bot: Set App Password…" in VS Code (or set MSTEAMS_APP_PASSWORD for the CLI), or configure "certificatePath", "useManagedIdentity": true or "authType": "federated".';

/** Never throws: every fault is a result with a fix. */
export async function checkCredentials(input: CredentialCheckInput): Promise<CredentialCheckResult> {
  const { config } = input;
  if (!config.appId) {
    return {
      skipped: true,
      detail: 'No appId is configured: the gateway runs in local mode, sends no bot token, so there are no credentials to check.',
    };
  }
  const env = input.env ?? process.env;
  // The environment's first: the loaded config's secrets hold the same value, and it did not come from a secret store.
  const fromEnv = env[APP_PASSWORD_ENV] || undefined;
  const fromSecrets = fromEnv ? undefined : input.secrets.appPassword || undefined;
  const appPassword = fromEnv ?? fromSecrets;
  const cloud = resolveCloud(config);
  const provider = new BotTokenProvider({
    config,
    secrets: appPassword ? { appPassword } : {},
    cloud,
    logger: input.logger,
    ...(input.credential ? { credential: input.credential } : {}),
  });

  const kind = provider.kind;
  const source = kind === 'client-secret' ? (fromSecrets ? ' from the secret store' : ` from ${APP_PASSWORD_ENV}`) : '';
  const usesAuthority = kind !== 'managed-identity';
  const who =
    `${kind ? KIND_TEXT[kind] : 'no credential'}${source} of app ${config.appId}` +
    (usesAuthority ? ` in tenant ${provider.tenant} at ${provider.authority}` : ` (asked from Azure's managed identity endpoint)`) +
    ` for ${cloud.botScope} (${config.cloud} cloud)`;

  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  timer.unref();
  try {
    const result = await Promise.race([provider.getToken({ abortSignal: abort.signal }), whenAborted(abort.signal)]);
    if (result === 'aborted') {
      return {
        ok: false,
        detail: `Entra ID did not issue a token within ${formatSeconds(timeoutMs)} (${who}).`,
        fix: usesAuthority
          ? `Check that this machine can reach ${originOf(provider.authority)} (network, proxy, firewall) and that "cloud" is right.`
          : 'A managed identity exists only on Azure (App Service, Functions, Container Apps, a VM); to test elsewhere use an app password or a certificate.',
      };
    }
    if (!result.ok) return failure(result.cause, who, provider);
    if (result.token === undefined) {
      // Unreachable while appId is set; kept so a change in the provider cannot turn into "ok".
      return { skipped: true, detail: 'The token provider is in local mode: there are no credentials to check.' };
    }
    const claims = tokenClaims(result.token);
    const expires = result.expiresOnTimestamp ? `, valid until ${new Date(result.expiresOnTimestamp).toISOString()}` : '';
    return {
      ok: true,
      identity: who,
      // A token proves the identity, not the Azure Bot: the Bot Connector accepts it only for the bot registered with this app id.
      detail: `Entra ID issued a Bot Framework token${claims}${expires}: replies and proactive messages can be sent as this app (the Azure Bot must use it as its Microsoft App ID).`,
    };
  } finally {
    clearTimeout(timer);
  }
}

function failure(cause: TokenFailureCause, who: string, provider: BotTokenProvider): CredentialCheckResult {
  const code = cause.code ? { code: cause.code } : {};
  switch (cause.kind) {
    case 'no-credentials':
      return { ok: false, detail: cause.message, fix: SET_PASSWORD_FIX, fixIn: { kind: 'app-password' } };
    case 'refused':
      return cause.explained
        ? {
            ok: false,
            ...code,
            detail: `${cause.message} ${cause.explained.explanation} (${who})`,
            fix: cause.explained.fix,
            ...(cause.explained.fixIn ? { fixIn: cause.explained.fixIn } : {}),
          }
        : {
            ok: false,
            ...code,
            detail: `${cause.message} (${who})`,
            fix: cause.code
              ? `Look the code up at https://login.microsoftonline.com/error?code=${cause.code.replace(/^AADSTS/, '')} and check "appId", "tenantId", "cloud" and the credential against the app registration.`
              : 'Check "appId", "tenantId", "cloud" and the credential against the app registration in the Azure portal.',
          };
    case 'unavailable':
      return provider.kind === 'managed-identity' || provider.kind === 'federated-managed-identity'
        ? {
            ok: false,
            detail: `${cause.message} (${who})`,
            fix: 'A managed identity exists only on Azure (App Service, Functions, Container Apps, a VM); to test elsewhere use an app password or a certificate.',
          }
        : {
            ok: false,
            detail: `${cause.message} (${who})`,
            fix: 'Check that the file at "certificatePath" exists and holds the private key and the certificate (PEM).',
            fixIn: { kind: 'config', key: 'certificatePath' },
          };
    case 'cancelled':
    case 'failed':
      return {
        ok: false,
        ...code,
        detail: `${cause.message} (${who})`,
        fix: `Check that this machine can reach ${originOf(provider.authority)} (network, proxy, firewall), and "cloud" and "tenantId".`,
      };
  }
}

/**
 * The token's own word on whom it is for, when it is a JWT: its tenant and
 * audience. Read without verifying (it is our token, fresh from Entra) and
 * never shown whole.
 */
function tokenClaims(token: string): string {
  const payload = token.split('.')[1];
  if (!payload) return '';
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown; aud?: unknown };
    const parts = [
      typeof claims.aud === 'string' ? `audience ${claims.aud}` : '',
      typeof claims.tid === 'string' ? `tenant ${claims.tid}` : '',
    ].filter(Boolean);
    return parts.length ? ` (${parts.join(', ')})` : '';
  } catch {
    return '';
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
