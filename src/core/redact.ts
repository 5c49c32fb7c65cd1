/**
 * The one redactor. Secrets never reach the activity log, a log line, the CLI
 * output, a transcript or an error message quoting a tool's output: bot
 * developers paste those into issues and chats. Two strengths, one set of rules:
 *
 * - redactString, for strings inside activities and bot answers: hides what
 *   is a credential by its shape alone (a JWT, "Bearer <token>", an Entra
 *   client secret), so a user's "what is a token?" survives.
 * - redactText, for log lines, details and tool output: also hides the value
 *   after a credential-named key (password=…, "client_secret": "…", TOKEN=…).
 *
 * It hides only values, never the gateway's own explanations: a placeholder
 * such as `Authorization: Bearer <JWT>` is left as written.
 */

export const REDACTED = '[redacted]';

/** A text transformation that removes secrets; composable for tool output. */
export type Redactor = (text: string) => string;

/** Object keys, header names and key=value keys whose value is a credential whatever it looks like. */
export const SENSITIVE_KEY = /authorization|token|secret|password|passwd|pwd|assertion|api[-_]?key|private[-_]?key|connection[-_]?string|cookie/i;

/** Runs of base64url characters and dots: a JWT is always one whole run, found in linear time. */
const TOKEN_RUN = /[A-Za-z0-9_.-]+/g;
/**
 * "Bearer <anything>": opaque (non-JWT) access tokens are credentials too. The
 * scheme stays, so a reader still sees one was sent. A value starting with "<"
 * is a placeholder in an explanation ("Bearer <JWT>"), and a short plain word
 * is English ("the bearer token is not a JWT"): a token has a digit or a
 * symbol, or is long.
 */
const BEARER = /\b(Bearer)\s+(?!<)([^\s"',;<>]+)/gi;
const PLAIN_WORD = /^[A-Za-z]{1,23}$/;
const BEARER_WORD = /bearer/i;
/**
 * A Microsoft Entra client secret (3 characters, a digit, "Q~", 31 or more),
 * caught even when it is printed without a telling key, as the Teams CLI does.
 */
const ENTRA_CLIENT_SECRET = /[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_.~-]{31,}/g;
/**
 * key=value, key: value, "key": "value" in free text such as log lines and
 * URLs. The key is bounded and must start a word so that hostile input cannot
 * make the regex backtrack quadratically; whether it is a credential is
 * decided in code, and only then is the value after it consumed.
 */
const KEY_SEP = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,80})(["']?\s*[:=]\s*["']?)/g;
/** An unquoted value: an optional auth scheme, then one word. */
const BARE_VALUE = /(?:(Bearer|Basic|Digest|Negotiate)\s+)?([^\s"'&,;]+)/iy;
/** Values that say something about a credential without being one. */
const NOT_A_SECRET = /^(?:<.*|true|false|null|undefined|bearer|basic|digest|negotiate|\[redacted\])$/i;

/** Deeper structures are cut off: no JSON a Teams client sends nests this far, hostile input might. */
const MAX_DEPTH = 64;

/** A deep copy of a JSON-like value with credentials replaced by "[redacted]". Never throws. */
export function redact(value: unknown): unknown {
  return copy(value, 0, []);
}

/** For strings inside activities: hides credentials by their shape only. */
export function redactString(s: string): string {
  if (!s.includes('eyJ') && !s.includes('Q~') && !BEARER_WORD.test(s)) return s;
  return s
    .replace(TOKEN_RUN, redactJwtInRun)
    .replace(ENTRA_CLIENT_SECRET, REDACTED)
    .replace(BEARER, (all: string, scheme: string, token: string) => (PLAIN_WORD.test(token) || token === REDACTED ? all : `${scheme} ${REDACTED}`));
}

/** For log lines, details and tool output: also hides the value after a credential-named key. */
export function redactText(s: string): string {
  return redactString(redactPairs(s));
}

/**
 * True when JSON text provably parses to a value that redact() returns
 * unchanged: nothing redact() looks for (a credential-named key or header
 * name, a JWT, an Entra client secret, "Bearer") appears in it, no \u escape
 * can spell one, and it has too few brackets to nest MAX_DEPTH deep. The
 * activity log keeps such an activity as the text it arrived in, instead of
 * a redacted deep copy stringified again (a good part of a request's cost).
 */
export function jsonNeedsNoRedaction(text: string): boolean {
  if (text.includes('\\u') || text.includes('eyJ') || text.includes('Q~') || BEARER_WORD.test(text) || SENSITIVE_KEY.test(text)) return false;
  let brackets = 0;
  for (const open of ['{', '[']) {
    for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) if (++brackets >= MAX_DEPTH) return false;
  }
  return true;
}

/** Redacts exact values the caller already knows are secret (an app password it holds, say). */
export function redactValues(values: readonly string[]): Redactor {
  const secrets = values.filter((v) => v.length >= 4);
  return (text) => secrets.reduce((acc, secret) => acc.split(secret).join(REDACTED), text);
}

export function composeRedactors(...redactors: (Redactor | undefined)[]): Redactor {
  const active = redactors.filter((r): r is Redactor => r !== undefined);
  return (text) => active.reduce((acc, redactor) => redactor(acc), text);
}

/**
 * A JWS has three base64url parts, a JWE five (some may be empty); the header
 * part always starts with "eyJ", the base64 of '{"'. Everything from there to
 * the end of the run is the token.
 */
function redactJwtInRun(run: string): string {
  const start = run.indexOf('eyJ');
  if (start < 0) return run;
  const parts = run.slice(start).split('.');
  if (parts.length < 3 || parts[0].length <= 3 || parts.slice(1).every((p) => p.length === 0)) return run;
  return run.slice(0, start) + REDACTED;
}

function redactPairs(s: string): string {
  // Every key this redacts contains a match of SENSITIVE_KEY, so text with none (most log lines) is
  // returned after one scan instead of a KEY_SEP match per word and separator.
  if (!SENSITIVE_KEY.test(s)) return s;
  let out = '';
  let done = 0;
  const quotes: QuoteMemo = new Map();
  KEY_SEP.lastIndex = 0;
  for (let m = KEY_SEP.exec(s); m; m = KEY_SEP.exec(s)) {
    // Not a credential: carry on right after its separator, where "client_secret=" may start.
    if (!SENSITIVE_KEY.test(m[1])) continue;
    const valueStart = KEY_SEP.lastIndex;
    const value = readValue(s, valueStart, m[2], quotes);
    if (!value) continue;
    out += s.slice(done, valueStart) + value.keep + REDACTED;
    done = KEY_SEP.lastIndex = value.end;
  }
  return done === 0 ? s : out + s.slice(done);
}

/**
 * The credential after a key and its separator: its end, and a prefix to keep
 * (an auth scheme); undefined when what follows is not a secret.
 */
function readValue(s: string, start: number, sep: string, quotes: QuoteMemo): { keep: string; end: number } | undefined {
  const quote = sep.endsWith('"') ? '"' : sep.endsWith("'") ? "'" : '';
  if (quote) {
    // A quoted value is one value, spaces and escaped quotes included.
    const end = closingQuote(s, start, quote, quotes);
    if (end >= 0) {
      const inner = s.slice(start, end);
      return inner === '' || NOT_A_SECRET.test(inner) ? undefined : { keep: '', end };
    }
  }
  BARE_VALUE.lastIndex = start;
  const m = BARE_VALUE.exec(s);
  if (!m) return undefined;
  const [, scheme, word] = m;
  if (NOT_A_SECRET.test(word)) return undefined;
  // "token: Entra ID refused the request" is a sentence, not a credential:
  // after "key:" (not "key=" or JSON), one plain word followed by more words is prose.
  if (!scheme && !sep.includes('=') && !/^["']/.test(sep) && /^[A-Za-z]+$/.test(word) && /^\s+\S/.test(s.slice(BARE_VALUE.lastIndex, BARE_VALUE.lastIndex + 2))) {
    return undefined;
  }
  return { keep: scheme ? s.slice(start, start + m[0].length - word.length) : '', end: BARE_VALUE.lastIndex };
}

/** Per call: the last closing quote found, by quote character. */
type QuoteMemo = Map<string, { from: number; at: number }>;

/**
 * The first unescaped `quote` at or after `from`, or -1. Remembered, because
 * the starts only grow: hostile text full of `token="` without a closing quote
 * would otherwise be searched to its end once per key, quadratically.
 */
function closingQuote(s: string, from: number, quote: string, memo: QuoteMemo): number {
  const known = memo.get(quote);
  if (known && from >= known.from && (known.at < 0 || from <= known.at)) return known.at;
  let i = s.indexOf(quote, from);
  while (i >= 0 && escaped(s, i, from)) i = s.indexOf(quote, i + 1);
  memo.set(quote, { from, at: i });
  return i;
}

function escaped(s: string, i: number, from: number): boolean {
  let backslashes = 0;
  for (let j = i - 1; j >= from && s[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 1;
}

function copy(value: unknown, depth: number, ancestors: object[]): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;

  // Only ancestors count as cycles; the same object reached twice by different paths is copied twice.
  if (ancestors.includes(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated: nested too deep]';

  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Dates, Buffers and the like: redact what JSON.stringify would write.
    let json: unknown;
    try {
      json = toJSON.call(value);
    } catch {
      return '[unreadable]';
    }
    if (json !== value) return copy(json, depth + 1, [...ancestors, value]);
  }

  ancestors.push(value);
  try {
    if (Array.isArray(value)) return copyArray(value, depth, ancestors);
    if (value instanceof Map) return copyObject(Object.fromEntries(value), depth, ancestors);
    if (value instanceof Set) return copyArray([...value], depth, ancestors);
    return copyObject(value as Record<string, unknown>, depth, ancestors);
  } finally {
    ancestors.pop();
  }
}

function copyArray(items: unknown[], depth: number, ancestors: object[]): unknown[] {
  const out = items.map((item) => copy(item, depth + 1, ancestors));
  // Header lists: Node's rawHeaders ['Authorization', 'x', ...] and entries [['cookie', 'x'], ...].
  if (items.every((item) => typeof item === 'string')) {
    for (let i = 0; i + 1 < items.length; i += 2) {
      if (isHeaderName(items[i] as string) && SENSITIVE_KEY.test(items[i] as string)) out[i + 1] = REDACTED;
    }
  }
  return out;
}

function copyObject(obj: Record<string, unknown>, depth: number, ancestors: object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(obj);
  } catch {
    return {};
  }
  for (const key of keys) {
    let v: unknown;
    try {
      v = obj[key];
    } catch {
      setOwn(out, key, '[unreadable]');
      continue;
    }
    setOwn(out, key, SENSITIVE_KEY.test(key) && hasContent(v) ? REDACTED : copy(v, depth + 1, ancestors));
  }
  // Name/value pairs ({ name: 'Authorization', value: '…' }), as in HAR logs and some header arrays.
  for (const nameKey of ['name', 'key', 'header']) {
    const name = Object.hasOwn(obj, nameKey) ? obj[nameKey] : undefined;
    if (typeof name === 'string' && isHeaderName(name) && SENSITIVE_KEY.test(name) && Object.hasOwn(out, 'value') && hasContent(out.value)) {
      out.value = REDACTED;
    }
  }
  return out;
}

/**
 * `out[key] = v` with key "__proto__" would set the copy's prototype and drop
 * the field; a record must keep every own property the sender wrote.
 */
function setOwn(out: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  else out[key] = v;
}

/** An empty or missing credential hides nothing, and seeing it empty is what explains a 401. */
function hasContent(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function isHeaderName(s: string): boolean {
  return s.length > 0 && s.length <= 64 && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s);
}
