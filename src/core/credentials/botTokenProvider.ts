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
import { explainEntraError, entraErrorCode, type EntraErrorExplanation } from './entraErrors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { firstLine } from '../process/textLines';
import { composeRedactors, redactText, redactValues, type Redactor } from '../redact';

export type BotTokenConfig = Pick<
  TeamsBotConfig,
  'appId' | 'tenantId' | 'authType' | 'certificatePath' | 'useManagedIdentity' | 'managedIdentityClientId' | 'cloud' | 'cloudOverrides'
>;

export type CredentialKind = 'client-secret' | 'client-certificate' | 'managed-identity' | 'federated-managed-identity' | 'injected';

/**
 * Why no token came, for callers that act on it (the Credential Check): the
 * detail already says all of this in words.
 */
export interface TokenFailureCause {
  /** refused: Entra ID answered with an error; unavailable: the credential cannot work here (no managed identity off Azure, an unreadable certificate). */
  kind: 'no-credentials' | 'refused' | 'unavailable' | 'cancelled' | 'failed';
  /** What happened, without the explanation: "Entra ID refused the client-secret token request (invalid_client): AADSTS7000215: …". */
  message: string;
  /** The AADSTS code Entra answered with, explained or not. */
  code?: string;
  explained?: EntraErrorExplanation;
}

export type BotTokenResult =
  | { ok: true; token: string; expiresOnTimestamp?: number }
  /** Local mode: no appId, so nothing to authenticate as and nothing to send. */
  | { ok: true; token: undefined }
  | { ok: false; reason: 'send-no-credentials' | 'send-failed'; detail: string; cause: TokenFailureCause };

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
  /** The tenant asked for tokens: the config's tenantId, else the cloud's login tenant (botframework.com). */
  readonly tenant: string;
  /** Where tokens come from: the cloud's login endpoint and the tenant. Not used for a managed identity, which asks Azure's local endpoint. */
  readonly authority: string;
  private readonly credential: TokenCredential | undefined;
  private readonly scope: string;
  private readonly logger: Logger;
  /** The one redactor, knowing this provider's secret: failures quote Entra and MSAL, which may echo it or a token. */
  private readonly redact: Redactor;
  private cached: AccessToken | undefined;
  private inflight: Promise<BotTokenResult> | undefined;

  constructor(opts: BotTokenProviderOptions) {
    const { config, secrets, cloud } = opts;
    this.logger = opts.logger ?? silentLogger;
    this.scope = cloud.botScope;
    this.redact = composeRedactors(redactValues(secrets.appPassword ? [secrets.appPassword] : []), redactText);
    this.isLocal = !config.appId;
    this.tenant = config.tenantId || cloud.loginTenant;
    this.authority = `${cloud.loginEndpoint.replace(/\/+$/, '')}/${this.tenant}`;
    const chosen = this.isLocal
      ? undefined
      : opts.credential
        ? { kind: 'injected' as const, credential: opts.credential }
        : chooseCredential(config, secrets, cloud, this.tenant);
    this.kind = chosen?.kind;
    this.credential = chosen?.credential;
  }

  /** A token for cloud.botScope, from cache when it has more than 5 minutes left. Never throws. */
  async getToken(options: { abortSignal?: AbortSignal } = {}): Promise<BotTokenResult> {
    if (this.isLocal) return { ok: true, token: undefined };
    if (!this.credential) {
      return { ok: false, reason: 'send-no-credentials', detail: NO_CREDENTIALS, cause: { kind: 'no-credentials', message: NO_CREDENTIALS } };
    }
    if (this.cached && this.cached.expiresOnTimestamp - REFRESH_MARGIN_MS > Date.now()) {
      return { ok: true, token: this.cached.token, expiresOnTimestamp: this.cached.expiresOnTimestamp };
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
        const message = `Entra ID returned no token for ${this.scope}.`;
        return { ok: false, reason: 'send-failed', detail: message, cause: { kind: 'failed', message } };
      }
      this.cached = token;
      this.logger.debug(`Got a Bot Connector token (${this.kind}) valid until ${new Date(token.expiresOnTimestamp).toISOString()}.`);
      return { ok: true, token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
    } catch (err) {
      const cause = await this.explain(err);
      // The explanation goes into the detail, so every send-failed record that
      // quotes it says what the AADSTS code means for this bot and the fix.
      const detail = cause.explained ? `${cause.message} ${cause.explained.explanation} Fix: ${cause.explained.fix}` : cause.message;
      this.logger.warn(`Could not get a Bot Connector token: ${detail}`);
      return { ok: false, reason: 'send-failed', detail, cause };
    }
  }

  /**
   * MSAL reports a tenant discovery that failed as a bare
   * "endpoints_resolution_error", for a tenant that does not exist (Entra
   * answers AADSTS90002) as for a host that cannot be reached; it drops
   * Entra's answer. Asking the discovery document once more recovers it.
   */
  private async explain(err: unknown): Promise<TokenFailureCause> {
    const cause = this.describe(err);
    const usesAuthority = this.kind === 'client-secret' || this.kind === 'client-certificate' || this.kind === 'federated-managed-identity';
    if (!usesAuthority || !/endpoints_resolution_error/.test(cause.message)) return cause;
    return (await this.askDiscovery()) ?? cause;
  }

  private async askDiscovery(): Promise<TokenFailureCause | undefined> {
    const url = `${this.authority}/v2.0/.well-known/openid-configuration`;
    let text: string;
    let kind: TokenFailureCause['kind'];
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
      if (res.ok) return undefined;
      const body = (await res.json().catch(() => undefined)) as { error?: unknown; error_description?: unknown } | undefined;
      if (typeof body?.error_description === 'string' && body.error_description) {
        kind = 'refused';
        const error = typeof body.error === 'string' ? ` (${body.error})` : '';
        text = `Entra ID refused the discovery of tenant ${this.tenant}${error}: ${entraSentence(body.error_description, this.redact)}`;
      } else {
        kind = 'failed';
        text = `Entra ID answered HTTP ${res.status} for the discovery of tenant ${this.tenant} (${url}).`;
      }
    } catch (e) {
      kind = 'failed';
      const reason = (e as { cause?: { code?: unknown } }).cause?.code ?? (e as { name?: unknown }).name;
      text = `Could not reach Entra ID at ${new URL(url).origin} (${typeof reason === 'string' ? reason : 'no answer'}).`;
    }
    const scrubbed = this.redact(text);
    const aadsts = entraErrorCode(scrubbed);
    const explained = explainEntraError(scrubbed);
    return { kind, message: scrubbed, ...(aadsts ? { code: aadsts } : {}), ...(explained ? { explained } : {}) };
  }

  /** One sentence from an @azure/identity error, with anything secret-shaped taken out. */
  private describe(err: unknown): TokenFailureCause {
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
    let kind: TokenFailureCause['kind'];
    if (name === 'AbortError') {
      kind = 'cancelled';
      text = 'The request to Entra ID was cancelled (timed out).';
    } else if (description) {
      kind = 'refused';
      text = `Entra ID refused the ${this.kind} token request${code ? ` (${code})` : ''}: ${entraSentence(description, this.redact)}`;
    } else if (name === 'CredentialUnavailableError' || (this.kind === 'client-certificate' && unreadableCertificate(err, message))) {
      // A certificate file that is missing, unreadable or not a PEM is read at
      // the first token request: it is this machine's problem, not Entra's.
      kind = 'unavailable';
      text = `The ${this.kind} credential is not available here: ${entraSentence(message, this.redact)}`;
    } else {
      kind = 'failed';
      text = `The ${this.kind} token request failed: ${entraSentence(message, this.redact)}`;
    }
    const scrubbed = this.redact(text);
    const aadsts = entraErrorCode(scrubbed);
    const explained = explainEntraError(scrubbed);
    return { kind, message: scrubbed, ...(aadsts ? { code: aadsts } : {}), ...(explained ? { explained } : {}) };
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
  tenantId: string,
): { kind: CredentialKind; credential: TokenCredential } | undefined {
  const appId = config.appId;
  if (!appId) return undefined;
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

function unreadableCertificate(err: unknown, message: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || /\bPEM\b/.test(message);
}

/** An Entra error description as one sentence; redacted before it is clipped, so a clip cannot leave half a secret. */
function entraSentence(text: string, redact: Redactor): string {
  // AADSTS descriptions end with "Trace ID: … Correlation ID: … Timestamp: …",
  // on new lines or after " - "; those help Microsoft support, not the developer.
  const line = firstLine(redact(text))
    .replace(/\s*-?\s*(Trace ID|Correlation ID|Timestamp):.*$/i, '')
    .trim();
  const clipped = line.length > 300 ? `${line.slice(0, 300)}…` : line;
  return /[.!?]$/.test(clipped) ? clipped : `${clipped}.`;
}

