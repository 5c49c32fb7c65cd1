/**
 * Keeps secrets out of anything a human or a log file will see. Tool output is
 * redacted line by line before it reaches a Logger, and error messages that
 * quote tool output go through the same functions.
 */
export type Redactor = (text: string) => string;

export const REDACTED = '[REDACTED]';

// Key names whose values are credentials, as CLIs print them in JSON ("CLIENT_SECRET": "…") or env files (CLIENT_SECRET=…).
const SECRET_KEY = '[A-Za-z0-9_.-]*(?:secret|password|passwd|pwd|token|apikey|api_key|private_?key|connectionstring)[A-Za-z0-9_.-]*';
const JSON_SECRET = new RegExp(`("${SECRET_KEY}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const ENV_SECRET = new RegExp(`\\b(${SECRET_KEY}\\s*=\\s*)[^\\s"',;]+`, 'gi');
// The shape of a Microsoft Entra client secret, caught even when it is printed without a telling key.
const ENTRA_CLIENT_SECRET = /[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_.~-]{31,}/g;
// Bearer tokens and JWTs that might appear in verbose or error output.
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

/** The redaction every process line gets, whatever the tool. */
export function redactSecrets(text: string): string {
  return text
    .replace(JSON_SECRET, `$1"${REDACTED}"`)
    .replace(ENV_SECRET, `$1${REDACTED}`)
    .replace(ENTRA_CLIENT_SECRET, REDACTED)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(JWT, REDACTED);
}

/** Redacts exact values the caller already knows are secret. */
export function redactValues(values: readonly string[]): Redactor {
  const secrets = values.filter((v) => v.length >= 4);
  return (text) => secrets.reduce((acc, secret) => acc.split(secret).join(REDACTED), text);
}

export function composeRedactors(...redactors: (Redactor | undefined)[]): Redactor {
  const active = redactors.filter((r): r is Redactor => r !== undefined);
  return (text) => active.reduce((acc, redact) => redact(acc), text);
}
