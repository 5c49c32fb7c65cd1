/**
 * The bot's own token for calling the Bot Connector, from Entra ID through
 * @azure/identity. Which credential is used follows the config; the secret
 * itself only ever goes to the credential object, never into a message.
 */
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type AccessToken,
  type TokenCredential,
} from '@azure/identity';
import type { CloudEnvironment } from '../auth/cloud';
import type { CloudName, TeamsBotConfig, TeamsBotSecrets } from '../config/configTypes';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';

export type BotTokenConfig = Pick<
  TeamsBotConfig,
  'appId' | 'tenantId' | 'authType' | 'certificatePath' | 'useManagedIdentity' | 'managedIdentityClientId' | 'cloud' | 'cloudOverrides'
>;

export type CredentialKind = 'client-secret' | 'client-certificate' | 'managed-identity' | 'federated-managed-identity' | 'injected';

export type BotTokenResult =
  | { ok: true; token: string }
  /** Local mode: no appId, so nothing to authenticate as and nothing to send. */
  | { ok: true; token: undefined }
  | { ok: false; reason: 'send-no-credentials' | 'send-failed'; detail: string };

export interface BotTokenProviderOptions {
  config: BotTokenConfig;
  secrets: TeamsBotSecrets;
  cloud: CloudEnvironment;
  logger?: Logger;
  /** Replaces the credential the config would choose (tests, or a host that already has one). */
  credential?: TokenCredential;
}

/**
 * The audience a managed identity asks for when its token is used as a
 * federated credential, per cloud: "Configure an application to trust a
 * managed identity", https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity
 * (the Teams SDK's TokenManager uses the public one for every cloud).
 */
const TOKEN_EXCHANGE_AUDIENCE: Record<CloudName, string> = {
  Public: 'api://AzureADTokenExchange',
  USGov: 'api://AzureADTokenExchangeUSGov',
  USGovDoD: 'api://AzureADTokenExchangeUSGov',
  China: 'api://AzureADTokenExchangeChina',
};

const NO_CREDENTIALS =
  'An appId is configured but no way to prove it: set the app password (secret store or environment), ' +
  '"certificatePath", "useManagedIdentity": true, or "authType": "federated".';

/** Renew this long before expiry, so a token never expires in flight. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class BotTokenProvider {
  readonly kind: CredentialKind | undefined;
  /** True when there is no appId: the gateway talks only to loopback and sends no token. */
  readonly isLocal: boolean;
  private readonly credential: TokenCredential | undefined;
  private readonly scope: string;
  private readonly logger: Logger;
  private readonly secret: string | undefined;
  private cached: AccessToken | undefined;
  private inflight: Promise<BotTokenResult> | undefined;

  constructor(opts: BotTokenProviderOptions) {
    const { config, secrets, cloud } = opts;
    this.logger = opts.logger ?? silentLogger;
    this.scope = cloud.botScope;
    this.secret = secrets.appPassword || undefined;
    this.isLocal = !config.appId;
    const chosen = this.isLocal
      ? undefined
      : opts.credential
        ? { kind: 'injected' as const, credential: opts.credential }
        : chooseCredential(config, secrets, cloud);
    this.kind = chosen?.kind;
    this.credential = chosen?.credential;
  }

  /** A token for cloud.botScope, from cache when it has more than 5 minutes left. Never throws. */
  async getToken(options: { abortSignal?: AbortSignal } = {}): Promise<BotTokenResult> {
    if (this.isLocal) return { ok: true, token: undefined };
    if (!this.credential) return { ok: false, reason: 'send-no-credentials', detail: NO_CREDENTIALS };
    if (this.cached && this.cached.expiresOnTimestamp - REFRESH_MARGIN_MS > Date.now()) {
      return { ok: true, token: this.cached.token };
    }
    // Concurrent sends share one request to Entra instead of racing.
    this.inflight ??= this.fetch(options.abortSignal).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetch(abortSignal: AbortSignal | undefined): Promise<BotTokenResult> {
    try {
      const token = await this.credential!.getToken(this.scope, { abortSignal });
      if (!token?.token) {
        return { ok: false, reason: 'send-failed', detail: `Entra ID returned no token for ${this.scope}.` };
      }
      this.cached = token;
      this.logger.debug(`Got a Bot Connector token (${this.kind}) valid until ${new Date(token.expiresOnTimestamp).toISOString()}.`);
      return { ok: true, token: token.token };
    } catch (err) {
      const detail = this.describe(err);
      this.logger.warn(`Could not get a Bot Connector token: ${detail}`);
      return { ok: false, reason: 'send-failed', detail };
    }
  }

  /** One sentence from an @azure/identity error, with anything secret-shaped taken out. */
  private describe(err: unknown): string {
    const e = err as { name?: unknown; message?: unknown; errorResponse?: { error?: unknown; errorDescription?: unknown } } | null;
    const name = typeof e?.name === 'string' ? e.name : '';
    const message = typeof e?.message === 'string' ? e.message : String(err);
    // MSAL's errors (surfaced as AuthenticationRequiredError or
    // AuthenticationError) read "invalid_client: Error(s): 7000215 - Timestamp:
    // … - Description: AADSTS7000215: … Trace ID: …"; the AADSTS sentence is
    // the part a developer can act on.
    const description =
      typeof e?.errorResponse?.errorDescription === 'string' && e.errorResponse.errorDescription
        ? e.errorResponse.errorDescription
        : /AADSTS\d+:.*/s.exec(message)?.[0];
    const code =
      typeof e?.errorResponse?.error === 'string' ? e.errorResponse.error : /^([a-z_]+):/.exec(message)?.[1];
    let text: string;
    if (name === 'AbortError') {
      text = 'The request to Entra ID was cancelled (timed out).';
    } else if (description) {
      text = `Entra ID refused the ${this.kind} token request${code ? ` (${code})` : ''}: ${firstLine(description)}`;
    } else if (name === 'CredentialUnavailableError') {
      text = `The ${this.kind} credential is not available here: ${firstLine(message)}`;
    } else {
      text = `The ${this.kind} token request failed: ${firstLine(message)}`;
    }
    return scrub(text, this.secret);
  }
}

/**
 * Precedence: an explicit auth mode in the file (federated, managed identity,
 * certificate) wins over an app password, which may be a leftover environment
 * variable.
 */
function chooseCredential(
  config: BotTokenConfig,
  secrets: TeamsBotSecrets,
  cloud: CloudEnvironment,
): { kind: CredentialKind; credential: TokenCredential } | undefined {
  const appId = config.appId;
  if (!appId) return undefined;
  const tenantId = config.tenantId || cloud.loginTenant;
  const common = {
    authorityHost: cloud.loginEndpoint,
    // Instance discovery asks login.microsoftonline.com whether the authority is
    // known; a custom loginEndpoint (a private or test cloud) is not, by design.
    disableInstanceDiscovery: !!config.cloudOverrides?.loginEndpoint,
  };

  if (config.authType === 'federated') {
    // The documented pattern for a bot app registration that trusts a managed
    // identity: the MI's token for the token-exchange audience is the client
    // assertion. "system" (or no id) means the system-assigned identity, as in
    // the Teams SDK's TokenManager.
    const miId = config.managedIdentityClientId;
    const mi =
      miId && miId.toLowerCase() !== 'system'
        ? new ManagedIdentityCredential({ clientId: miId })
        : new ManagedIdentityCredential();
    const audience = `${TOKEN_EXCHANGE_AUDIENCE[config.cloud] ?? TOKEN_EXCHANGE_AUDIENCE.Public}/.default`;
    const getAssertion = async () => (await mi.getToken(audience)).token;
    return { kind: 'federated-managed-identity', credential: new ClientAssertionCredential(tenantId, appId, getAssertion, common) };
  }
  if (config.useManagedIdentity) {
    // A bot registered as a user-assigned managed identity has the MI's client
    // id as its appId.
    return { kind: 'managed-identity', credential: new ManagedIdentityCredential({ clientId: config.managedIdentityClientId || appId }) };
  }
  if (config.certificatePath) {
    // @azure/identity reads the PEM (key + certificate) and derives the
    // thumbprint itself, so certificateThumbprint is not needed here.
    return {
      kind: 'client-certificate',
      credential: new ClientCertificateCredential(tenantId, appId, { certificatePath: config.certificatePath }, common),
    };
  }
  if (secrets.appPassword) {
    return { kind: 'client-secret', credential: new ClientSecretCredential(tenantId, appId, secrets.appPassword, common) };
  }
  return undefined;
}

function firstLine(text: string): string {
  // AADSTS descriptions end with "Trace ID: … Correlation ID: … Timestamp: …",
  // on new lines or after " - "; those help Microsoft support, not the developer.
  const line = text
    .split(/\r?\n/)[0]
    .replace(/\s*-?\s*(Trace ID|Correlation ID|Timestamp):.*$/i, '')
    .trim();
  const clipped = line.length > 300 ? `${line.slice(0, 300)}…` : line;
  return /[.!?]$/.test(clipped) ? clipped : `${clipped}.`;
}

function scrub(text: string, secret: string | undefined): string {
  let out = text;
  if (secret && secret.length >= 4) out = out.split(secret).join('***');
  // Anything that looks like a JWT (an assertion or a token echoed back).
  return out.replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '<jwt>');
}
