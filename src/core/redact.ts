/**
 * Secrets never reach the activity log, the CLI output or a transcript: bot
 * developers paste those into issues and chats. Redaction errs on the side of
 * hiding too much.
 */

export const REDACTED = '[redacted]';

/** Object keys (and header names) whose value is a credential whatever it looks like. */
export const SENSITIVE_KEY = /authorization|token|secret|password|passwd|assertion|api[-_]?key|client[-_]?secret|cookie/i;

/** Runs of base64url characters and dots: a JWT is always one whole run, found in linear time. */
const TOKEN_RUN = /[A-Za-z0-9_.-]+/g;
/** "Bearer <anything>": opaque (non-JWT) access tokens are credentials too. The scheme stays, so a reader still sees one was sent. */
const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;
/**
 * key=value, key: value, "key": "value" in free text such as log lines and
 * URLs. The key is bounded and must start a word so that hostile input cannot
 * make the regex backtrack quadratically; whether it is a credential is
 * decided in code, and only then is the value after it consumed.
 */
const KEY_SEP = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,80})(["']?\s*[:=]\s*["']?)/g;
const VALUE = /(?:Bearer|Basic)\s+[^\s"'&,;]+|[^\s"'&,;]+/iy;

/** Deeper structures are cut off: no JSON a Teams client sends nests this far, hostile input might. */
const MAX_DEPTH = 64;

/** A deep copy of a JSON-like value with credentials replaced by "[redacted]". Never throws. */
export function redact(value: unknown): unknown {
  return copy(value, 0, []);
}

/**
 * For strings inside activities: hides tokens but not ordinary words, so a
 * user's "what is a token?" survives while "Bearer eyJ…" does not.
 */
export function redactString(s: string): string {
  if (!s.includes('eyJ') && !/bearer/i.test(s)) return s;
  return s.replace(TOKEN_RUN, redactJwtInRun).replace(BEARER, `$1 ${REDACTED}`);
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

/** For log lines and details: also hides `password=…`, `client_secret: …` and the like. */
export function redactText(s: string): string {
  return redactString(redactPairs(s));
}

function redactPairs(s: string): string {
  let out = '';
  let done = 0;
  KEY_SEP.lastIndex = 0;
  for (let m = KEY_SEP.exec(s); m; m = KEY_SEP.exec(s)) {
    // Not a credential: carry on right after its separator, where "client_secret=" may start.
    if (!SENSITIVE_KEY.test(m[1])) continue;
    VALUE.lastIndex = KEY_SEP.lastIndex;
    if (!VALUE.exec(s)) continue;
    out += s.slice(done, KEY_SEP.lastIndex) + REDACTED;
    done = KEY_SEP.lastIndex = VALUE.lastIndex;
  }
  return done === 0 ? s : out + s.slice(done);
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
      out[key] = '[unreadable]';
      continue;
    }
    out[key] = SENSITIVE_KEY.test(key) && hasContent(v) ? REDACTED : copy(v, depth + 1, ancestors);
  }
  // Name/value pairs ({ name: 'Authorization', value: '…' }), as in HAR logs and some header arrays.
  for (const nameKey of ['name', 'key', 'header']) {
    const name = obj[nameKey];
    if (typeof name === 'string' && isHeaderName(name) && SENSITIVE_KEY.test(name) && 'value' in out && hasContent(out.value)) {
      out.value = REDACTED;
    }
  }
  return out;
}

/** An empty or missing credential hides nothing, and seeing it empty is what explains a 401. */
function hasContent(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function isHeaderName(s: string): boolean {
  return s.length > 0 && s.length <= 64 && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s);
}
