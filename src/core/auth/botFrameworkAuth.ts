/**
 * Checks the Bot Framework JWT on an inbound activity and names the one reason
 * it fails.
 *
 * The signature, audience, issuer, lifetime and serviceurl checks are the Teams
 * SDK's own (ServiceTokenValidator over JwtValidator), so this gateway accepts
 * exactly what a Teams SDK bot accepts. That validator only answers "Invalid
 * token" and reports the cause through its logger, so it gets a logger that
 * files each error under the request being checked: an AsyncLocalStorage slot
 * per call. One validator instance is shared, which keeps one JWKS client and
 * its key cache for the whole process instead of a key fetch per request.
 *
 * The SDK does not check key endorsements; this class adds that check (see
 * KeyEndorsements) on the same key set the SDK fetches.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ServiceTokenValidator } from '@microsoft/teams.apps/dist/middleware/auth/service-token-validator';
import type { ILogger, ILoggerOptions, LogLevel as SdkLogLevel } from '@microsoft/teams.common';
import type { CloudEnvironment } from './cloud';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { Reason } from '../reasons';

export type AuthFailureReason =
  | 'auth-missing-header'
  | 'auth-malformed-token'
  | 'auth-bad-signature'
  | 'auth-unknown-key'
  | 'auth-key-not-endorsed'
  | 'auth-wrong-audience'
  | 'auth-wrong-issuer'
  | 'auth-expired'
  | 'auth-serviceurl-mismatch'
  | 'auth-keys-unreachable'
  | 'auth-invalid';

/** Fails to compile if a name above leaves the shared reason vocabulary. */
type OneOf<T extends Reason> = T;
export type AuthFailureReasonChecked = OneOf<AuthFailureReason>;

export type AuthOutcome =
  | { ok: true; appId: string; serviceUrl: string }
  | { ok: false; reason: AuthFailureReason; detail: string };

export interface BotFrameworkAuthOptions {
  appId: string;
  tenantId?: string;
  cloud: CloudEnvironment;
  logger?: Logger;
  /**
   * Upper bound for one check. Only a slow key endpoint can take long (the rest
   * is CPU), and the SDK's key client waits 30 s; Teams gives up on the
   * webhook after 15 s, so answering sooner is more useful.
   */
  timeoutMs?: number;
}

/** Real tokens are ~1.5 KB; a cap keeps a hostile header from costing parse time. */
const MAX_TOKEN_CHARS = 16 * 1024;
const BEARER_JWT = /^bearer +([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/i;
const CLOCK_TOLERANCE_S = 300;

interface Decoded {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** What the SDK validator logged at error level during one check, and the key it verified with. */
interface Capture {
  errors: { message: string; err: unknown }[];
  key?: KeyObject;
}

export class BotFrameworkAuth {
  private readonly appId: string;
  private readonly cloud: CloudEnvironment;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly captures = new AsyncLocalStorage<Capture>();
  private readonly validator: ServiceTokenValidator;
  /** undefined when the SDK's key client could not be reached: then every token fails closed. */
  private readonly endorsements: KeyEndorsements | undefined;
  /** undefined when the SDK's internals are not the expected shape: then every token takes the SDK's path. */
  private readonly signingKeys: ParsedSigningKeys | undefined;
  private readonly verified = new VerifiedTokens();
  private checksInFlight = 0;

  constructor(opts: BotFrameworkAuthOptions) {
    this.appId = opts.appId;
    this.cloud = opts.cloud;
    this.logger = opts.logger ?? silentLogger;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    // serviceUrl is left undefined: the SDK then compares the claim with each
    // activity's own serviceUrl, which is what the Bot Framework requires.
    this.validator = new ServiceTokenValidator(
      opts.appId,
      opts.tenantId,
      undefined,
      capturingLogger(this.captures),
      opts.cloud,
    );
    this.signingKeys = ParsedSigningKeys.attach(this.validator, this.captures);
    this.endorsements = KeyEndorsements.attach(this.validator);
  }

  async check(authorizationHeader: string | undefined, activity: { serviceUrl?: string; channelId?: unknown }): Promise<AuthOutcome> {
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') {
      return fail('auth-missing-header', 'The request has no Authorization header; the Bot Connector always sends "Authorization: Bearer <JWT>".');
    }
    const serviceUrl = typeof activity.serviceUrl === 'string' ? activity.serviceUrl : '';
    // The SDK's verdict depends on the token, the signing key and the activity's serviceUrl (the
    // audience and issuer are this instance's): the same three, still in their lifetime, get the same
    // verdict. A token seen before passed the shape checks then, and is decoded already. Looked up by the
    // header as it came (the same header is the same token), so a hit costs one hash of it and nothing else.
    const known = authorizationHeader.length <= MAX_TOKEN_CHARS ? this.verified.get(authorizationHeader, serviceUrl, this.signingKeys) : undefined;
    if (known) return this.afterSignature(known, activity, serviceUrl);

    const pre = precheck(authorizationHeader);
    if (!pre.ok) return pre.outcome;
    const { token, decoded } = pre;
    const failed = await this.validate(authorizationHeader, token, decoded, activity);
    if (failed) return failed;
    return this.afterSignature(decoded, activity, serviceUrl);
  }

  /** The SDK's check (signature, audience, issuer, lifetime, serviceurl); undefined when it passed. */
  private async validate(header: string, token: string, decoded: Decoded, activity: { serviceUrl?: string; channelId?: unknown }): Promise<(AuthOutcome & { ok: false }) | undefined> {
    const capture: Capture = { errors: [] };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    this.checksInFlight++;
    let result: 'valid' | 'timeout' | { thrown: unknown };
    try {
      const validation = this.captures.run(capture, () =>
        this.validator.check(`Bearer ${token}`, activity).then(
          () => 'valid' as const,
          (err: unknown) => ({ thrown: err }),
        ),
      );
      result = await Promise.race([validation, timeout]);
    } finally {
      clearTimeout(timer);
      // An enabled AsyncLocalStorage makes Node 20 run async hooks on every promise and socket of the
      // process (a few % of the gateway's CPU per request). With the cache, checks are rare: switch the
      // slot off between them. run() switches it on again; a check that timed out loses only its late log.
      if (--this.checksInFlight === 0) this.captures.disable();
    }

    if (result === 'timeout') {
      return fail('auth-keys-unreachable', `The Bot Framework signing keys at ${keysUri(this.cloud)} did not arrive within ${duration(this.timeoutMs)}, so the token could not be checked.`);
    }
    if (result !== 'valid') {
      const outcome = this.explain(capture, decoded, activity);
      this.logger.debug(`JWT rejected (${outcome.reason}): ${outcome.detail}`);
      return outcome;
    }
    // Only a pass is remembered, and only with the key it was verified with.
    if (capture.key) this.verified.add(header, typeof activity.serviceUrl === 'string' ? activity.serviceUrl : '', decoded, capture.key);
    return undefined;
  }

  /** Our checks on top of the SDK's; they are cheap and run on every request, cached or not. */
  private afterSignature(decoded: Decoded, activity: { serviceUrl?: string; channelId?: unknown }, serviceUrl: string): AuthOutcome {
    // The SDK skips the serviceurl comparison when the body has none; the
    // gateway sends replies to that URL, so an activity without one cannot be
    // tied to the token.
    if (serviceUrl === '') {
      return fail('auth-serviceurl-mismatch', `The token's serviceurl claim is ${show(decoded.payload.serviceurl)} but the activity has no serviceUrl to match it against.`);
    }
    // jsonwebtoken accepts a token with no exp at all; Bot Framework tokens
    // always carry one, so a token without it never came from the Bot Connector.
    if (typeof decoded.payload.exp !== 'number') {
      return fail('auth-invalid', 'The JWT verified but has no exp claim, so it would never expire; Bot Connector tokens always carry one.');
    }
    const endorsement = this.checkEndorsement(decoded.header.kid as string, activity.channelId);
    if (endorsement) return endorsement;
    return { ok: true, appId: this.appId, serviceUrl };
  }

  /**
   * The Bot Connector authentication spec: a signing key lists the channels it
   * may sign for ("endorsements"), and the activity's channelId must be one of
   * them, so a key endorsed only for webchat cannot vouch for an msteams
   * activity. As in botbuilder-js (jwtTokenExtractor), a key without
   * endorsements (field absent, not an array, or empty) restricts nothing.
   * Stricter than botbuilder-js on one point: an activity with no channelId
   * passes there ("makes no assertion"); here it fails when the key is
   * endorsed, because this gateway treats every activity as a Teams one.
   */
  private checkEndorsement(kid: string, channelId: unknown): (AuthOutcome & { ok: false }) | undefined {
    if (!this.endorsements) {
      return fail('auth-key-not-endorsed', 'The key endorsements cannot be read from this version of the Teams SDK, so no token is accepted: report this, or pin @microsoft/teams.apps to the version in package-lock.json.');
    }
    const key = this.endorsements.of(kid);
    if (key === undefined) {
      return fail('auth-key-not-endorsed', `The endorsements of key ${show(kid)} are not known (it was not in the key set the gateway read), so the token cannot vouch for channel ${show(channelId)}.`);
    }
    if (!key.restricted) return undefined;
    const channels = key.channels.length > 0 ? show(key.channels) : 'no channel';
    if (typeof channelId !== 'string' || channelId.trim() === '') {
      return fail('auth-key-not-endorsed', `The activity has no channelId, and key ${show(kid)} signs only for ${channels}, so the token cannot vouch for it.`);
    }
    if (!key.channels.includes(channelId)) {
      return fail('auth-key-not-endorsed', `The JWT is signed with key ${show(kid)}, which the Bot Framework key set endorses only for ${channels}, not for the activity's channelId ${show(channelId)}.`);
    }
    return undefined;
  }

  /** Turns what the SDK validator logged into one reason and one sentence. */
  private explain(capture: Capture, decoded: Decoded, activity: { serviceUrl?: string }): AuthOutcome & { ok: false } {
    const { header, payload } = decoded;
    // A key-lookup failure is logged first and then again, wrapped, as the
    // verification failure; the first one carries the real cause.
    const keyError = capture.errors.find((e) => e.message.startsWith('Failed to get signing key'));
    if (keyError) return this.explainKeyError(keyError.err, header);

    const verifyError = capture.errors.find((e) => e.message.startsWith('JWT verification failed'));
    if (verifyError) return this.explainVerifyError(verifyError.err, header, payload);

    const customError = capture.errors.find((e) => e.message.startsWith('Custom validation failed'));
    if (customError) {
      const msg = errorMessage(customError.err);
      if (/issuer/i.test(msg)) {
        return fail('auth-wrong-issuer', `JWT issuer is ${show(payload.iss)} but Bot Connector tokens for the configured cloud are issued by '${this.cloud.tokenIssuer}'.`);
      }
      if (/service ?url/i.test(msg)) {
        if (typeof payload.serviceurl !== 'string' || payload.serviceurl === '') {
          return fail('auth-serviceurl-mismatch', `The JWT has no serviceurl claim, so it cannot vouch for the activity's serviceUrl ${show(activity.serviceUrl)}.`);
        }
        return fail('auth-serviceurl-mismatch', `The JWT was issued for serviceUrl ${show(payload.serviceurl)} but the activity says ${show(activity.serviceUrl)}.`);
      }
      return fail('auth-invalid', `The JWT failed a Bot Framework check: ${clip(msg)}.`);
    }

    if (capture.errors.some((e) => e.message.startsWith('Decoded token is not'))) {
      return fail('auth-malformed-token', 'The JWT payload is not a JSON object.');
    }
    return fail('auth-invalid', 'The Teams SDK validator rejected the JWT without saying why.');
  }

  private explainKeyError(err: unknown, header: Record<string, unknown>): AuthOutcome & { ok: false } {
    const name = errorName(err);
    if (name === 'SigningKeyNotFoundError') {
      return fail('auth-unknown-key', `The JWT is signed with key id ${show(header.kid)}, which is not in the Bot Framework key set at ${keysUri(this.cloud)}.`);
    }
    const code = (err as { code?: unknown } | null)?.code;
    const why = typeof code === 'string' ? code : clip(errorMessage(err));
    return fail('auth-keys-unreachable', `The Bot Framework signing keys could not be fetched from ${keysUri(this.cloud)} (${why}).`);
  }

  private explainVerifyError(err: unknown, header: Record<string, unknown>, payload: Record<string, unknown>): AuthOutcome & { ok: false } {
    const name = errorName(err);
    const msg = errorMessage(err);
    if (name === 'TokenExpiredError') {
      return fail('auth-expired', `The JWT expired at ${isoOf(payload.exp)}, more than ${CLOCK_TOLERANCE_S / 60} minutes ago (check this machine's clock if that looks wrong).`);
    }
    if (name === 'NotBeforeError') {
      return fail('auth-expired', `The JWT is not valid until ${isoOf(payload.nbf)}, more than ${CLOCK_TOLERANCE_S / 60} minutes from now (check this machine's clock).`);
    }
    if (msg === 'invalid signature') {
      return fail('auth-bad-signature', `The JWT signature does not verify with the Bot Framework key ${show(header.kid)}: the token was not signed by the Bot Connector or was altered.`);
    }
    if (msg === 'invalid algorithm' || msg.startsWith('secretOrPublicKey must be')) {
      return fail('auth-bad-signature', `The JWT is signed with ${show(header.alg)}; Bot Framework tokens are signed with RS256.`);
    }
    if (msg.startsWith('jwt audience invalid')) {
      return fail('auth-wrong-audience', `JWT audience is ${show(payload.aud)} but this bot's appId is '${this.appId}': the token was meant for another bot.`);
    }
    if (msg.startsWith('jwt issuer invalid')) {
      return fail('auth-wrong-issuer', `JWT issuer is ${show(payload.iss)} but Bot Connector tokens for the configured cloud are issued by '${this.cloud.tokenIssuer}'.`);
    }
    if (msg.startsWith('error in secret or public key callback')) {
      return fail('auth-keys-unreachable', `The Bot Framework signing keys could not be used: ${clip(msg)}.`);
    }
    if (/malformed|invalid token|invalid (nbf|exp) value|must be provided|signature is required|Unexpected token|JSON/i.test(msg)) {
      return fail('auth-malformed-token', `The bearer token is not a well-formed JWT (${clip(msg)}).`);
    }
    return fail('auth-invalid', `The JWT failed validation: ${clip(msg)}.`);
  }
}

function fail(reason: AuthFailureReason, detail: string): AuthOutcome & { ok: false } {
  return { ok: false, reason, detail };
}

type Precheck = { ok: true; token: string; decoded: Decoded } | { ok: false; outcome: AuthOutcome };

/** Cheap shape checks, so garbage never reaches the key cache or the SDK. */
function precheck(headerValue: string): Precheck {
  if (headerValue.length > MAX_TOKEN_CHARS) {
    return { ok: false, outcome: fail('auth-malformed-token', `The Authorization header is ${headerValue.length} characters long; a Bot Framework JWT is far shorter.`) };
  }
  const trimmed = headerValue.trim();
  if (!/^bearer\s/i.test(trimmed)) {
    return { ok: false, outcome: fail('auth-malformed-token', 'The Authorization header does not use the Bearer scheme.') };
  }
  const m = BEARER_JWT.exec(trimmed);
  if (!m) {
    return { ok: false, outcome: fail('auth-malformed-token', 'The bearer token is not three base64url parts separated by dots.') };
  }
  const header = parseJsonPart(m[1]);
  const payload = parseJsonPart(m[2]);
  if (!header) return { ok: false, outcome: fail('auth-malformed-token', 'The JWT header is not base64url-encoded JSON.') };
  if (!payload) return { ok: false, outcome: fail('auth-malformed-token', 'The JWT payload is not base64url-encoded JSON.') };
  if (typeof header.alg !== 'string') {
    return { ok: false, outcome: fail('auth-malformed-token', 'The JWT header has no alg.') };
  }
  // jwks-rsa would pick the only key of a one-key set for a token without a
  // kid; the Bot Connector always names its key, so refuse to guess.
  if (typeof header.kid !== 'string' || header.kid === '') {
    return { ok: false, outcome: fail('auth-unknown-key', 'The JWT header has no kid, so no Bot Framework signing key can be chosen for it.') };
  }
  return { ok: true, token: `${m[1]}.${m[2]}.${m[3]}`, decoded: { header, payload } };
}

function parseJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An ILogger for the SDK that files error lines under the current check. */
function capturingLogger(store: AsyncLocalStorage<Capture>): ILogger {
  const logger: ILogger = {
    loggerOptions: { level: 'error' } satisfies ILoggerOptions,
    error(...msg: unknown[]) {
      const capture = store.getStore();
      if (!capture) return;
      const [first, ...rest] = msg;
      capture.errors.push({ message: typeof first === 'string' ? first : '', err: rest[0] });
    },
    warn() {},
    info() {},
    debug() {},
    trace() {},
    log(level: SdkLogLevel, ...msg: unknown[]) {
      if (level === 'error') logger.error(...msg);
    },
    child() {
      return logger;
    },
  };
  return logger;
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function keysUri(cloud: CloudEnvironment): string {
  // Same derivation as the SDK's ServiceTokenValidator.
  return cloud.openIdMetadataUrl.replace(/\/openidconfiguration$/, '/keys');
}

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string'
    ? (err as { name: string }).name
    : '';
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

/** Claim values come from an unauthenticated request: quote, clip and strip control characters. */
function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = Array.isArray(value) ? value.map(String).join("', '") : String(value);
  return `'${clip(text, 120)}'`;
}

function clip(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function isoOf(seconds: unknown): string {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : show(seconds);
}

/** jwks-rsa keeps keys for 10 minutes; a parsed key is kept no longer. */
const PARSED_KEY_TTL_MS = 10 * 60_000;
const PARSED_KEY_MAX = 32;

type SigningKeyCallback = (err: Error | null, key?: string | KeyObject) => void;

/**
 * The SDK hands jsonwebtoken each signing key as a PEM string that jwks-rsa
 * re-encodes and jsonwebtoken re-parses on every request: about 60 % of the
 * whole check in the benchmark's profile. Parse each key once, per key id.
 * If the SDK's internals ever change shape this does nothing, and the SDK's
 * own path runs unchanged; misses still go through it, so its errors (and
 * the reasons derived from them) are untouched. The key a check used is
 * filed in its Capture, so a verified token is remembered with its key.
 */
class ParsedSigningKeys {
  private readonly byKid = new Map<string, { key: KeyObject; at: number }>();

  static attach(validator: ServiceTokenValidator, captures: AsyncLocalStorage<Capture>): ParsedSigningKeys | undefined {
    const jwt = (validator as unknown as { jwtValidator?: { getSigningKey?: (header: { kid?: string }, cb: SigningKeyCallback) => void } }).jwtValidator;
    if (!jwt || typeof jwt.getSigningKey !== 'function') return undefined;
    const original = jwt.getSigningKey.bind(jwt);
    const keys = new ParsedSigningKeys();
    jwt.getSigningKey = (header, callback) => {
      const capture = captures.getStore();
      const kid = typeof header?.kid === 'string' ? header.kid : undefined;
      const hit = kid ? keys.current(kid) : undefined;
      if (hit) {
        if (capture) capture.key = hit;
        callback(null, hit);
        return;
      }
      original(header, (err, pem) => {
        if (err || typeof pem !== 'string') {
          callback(err, pem);
          return;
        }
        let key: KeyObject;
        try {
          key = createPublicKey(pem);
        } catch {
          callback(null, pem);
          return;
        }
        if (kid) keys.set(kid, key);
        if (capture) capture.key = key;
        callback(null, key);
      });
    };
    return keys;
  }

  /** The parsed key for this kid, while it is fresh; a later fetch replaces it with a new object. */
  current(kid: string): KeyObject | undefined {
    const hit = this.byKid.get(kid);
    return hit && Date.now() - hit.at < PARSED_KEY_TTL_MS ? hit.key : undefined;
  }

  private set(kid: string, key: KeyObject): void {
    this.byKid.delete(kid);
    if (this.byKid.size >= PARSED_KEY_MAX) this.byKid.delete(this.byKid.keys().next().value as string);
    this.byKid.set(kid, { key, at: Date.now() });
  }
}

/** Bot Connector tokens live about an hour and each is reused for many activities; a few hundred cover any dev loop. */
const VERIFIED_TOKENS_MAX = 512;

/**
 * Tokens the SDK validator passed, so the same token on the next activity
 * skips the signature check (about a quarter of the gateway's CPU per request
 * in the benchmark's profile). An entry is used only for the exact
 * Authorization header (so the exact token) and the exact activity serviceUrl
 * it was verified with, only while the signing key it was verified with is
 * still the current parsed key for its kid (a key fetched again, rotated or
 * not, is a new object), and only inside the token's lifetime as jsonwebtoken
 * judges it (exp and nbf, with the SDK's 5 minute clock tolerance). Anything
 * else goes to the SDK again, which then names the reason. Failures are never
 * stored. Bounded: the oldest entry goes first.
 */
class VerifiedTokens {
  /** By Authorization header: keyed by the string as it arrived, a hit builds no string of its ~1 KB. */
  private readonly entries = new Map<string, { serviceUrl: string; key: KeyObject; kid: string; exp: number; nbf: number | undefined; decoded: Decoded }>();

  /** The token as decoded when it passed, while the entry may still be used; undefined otherwise. */
  get(header: string, serviceUrl: string, keys: ParsedSigningKeys | undefined): Decoded | undefined {
    const entry = this.entries.get(header);
    if (!entry || !keys || entry.serviceUrl !== serviceUrl) return undefined;
    // Same conditions and clock as jsonwebtoken's verify (seconds, floor of Date.now()).
    const now = Math.floor(Date.now() / 1000);
    const lifetimeOk = now < entry.exp + CLOCK_TOLERANCE_S && (entry.nbf === undefined || entry.nbf <= now + CLOCK_TOLERANCE_S);
    if (lifetimeOk && keys.current(entry.kid) === entry.key) return entry.decoded;
    this.entries.delete(header);
    return undefined;
  }

  add(header: string, serviceUrl: string, decoded: Decoded, key: KeyObject): void {
    const { exp, nbf } = decoded.payload;
    const kid = decoded.header.kid;
    // A token without a numeric exp is refused after the SDK's check anyway; an odd nbf is the SDK's to judge.
    if (typeof exp !== 'number' || typeof kid !== 'string' || (nbf !== undefined && typeof nbf !== 'number')) return;
    this.entries.delete(header);
    if (this.entries.size >= VERIFIED_TOKENS_MAX) this.entries.delete(this.entries.keys().next().value as string);
    // One entry per header: the same token verified for another serviceUrl replaces it (a token names one serviceurl).
    this.entries.set(header, { serviceUrl, key, kid, exp, nbf: nbf as number | undefined, decoded });
  }
}

const ENDORSEMENTS_MAX = 256;

/**
 * Each signing key's `endorsements`, read from the very key set the SDK's
 * JWKS client fetches (jwks-rsa drops every field but the key itself). The
 * client's getKeys() runs only when its key cache misses, so this parses each
 * fetched key set once and costs nothing per request. Entries are replaced on
 * every fetch and never dropped early: jwks-rsa may keep serving a key from
 * its cache after a newer key set left it out.
 */
interface Endorsement {
  /** false: the key may sign for any channel. */
  restricted: boolean;
  channels: readonly string[];
}

class KeyEndorsements {
  private readonly byKid = new Map<string, Endorsement>();

  /** Hooks the SDK validator's key client; undefined when its internals are not the expected shape. */
  static attach(validator: ServiceTokenValidator): KeyEndorsements | undefined {
    const jwt = (validator as unknown as { jwtValidator?: { getJwksClient?: () => unknown } }).jwtValidator;
    if (!jwt || typeof jwt.getJwksClient !== 'function') return undefined;
    const client = jwt.getJwksClient() as { getKeys?: () => Promise<unknown> } | undefined;
    if (!client || typeof client.getKeys !== 'function') return undefined;
    const book = new KeyEndorsements();
    const getKeys = client.getKeys.bind(client);
    client.getKeys = async () => {
      const keys = await getKeys();
      book.learn(keys);
      return keys;
    };
    return book;
  }

  /** What a key may sign for; undefined when the key was never seen. */
  of(kid: string): Endorsement | undefined {
    return this.byKid.get(kid);
  }

  private learn(keys: unknown): void {
    if (!Array.isArray(keys)) return;
    for (const key of keys) {
      if (typeof key !== 'object' || key === null) continue;
      const kid = (key as { kid?: unknown }).kid;
      if (typeof kid !== 'string' || kid === '') continue;
      const raw = Object.hasOwn(key, 'endorsements') ? (key as { endorsements?: unknown }).endorsements : undefined;
      // Only a non-empty array restricts, as in botbuilder-js; an entry that is not a string endorses nothing.
      const restricted = Array.isArray(raw) && raw.length > 0;
      const channels = restricted ? (raw as unknown[]).filter((e): e is string => typeof e === 'string') : [];
      this.byKid.delete(kid);
      if (this.byKid.size >= ENDORSEMENTS_MAX) this.byKid.delete(this.byKid.keys().next().value as string);
      this.byKid.set(kid, { restricted, channels });
    }
  }
}
