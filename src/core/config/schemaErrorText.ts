import type { SchemaError } from './configSchema';

/** Turns one ajv error into the sentence a developer reads, without the location. */
export function schemaErrorText(error: SchemaError, knownKeys: readonly string[]): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'type':
      return `must be ${article(String(p.type))}`;
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const guess = closestKey(key, knownKeys);
      return `unknown key "${key}"${guess ? `: did you mean "${guess}"?` : '.'} Allowed here: ${knownKeys.join(', ')}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'minLength':
      return 'must not be empty';
    case 'pattern':
      return patternText(error.instancePath, String(p.pattern));
    case 'format':
      return p.format === 'uri' ? 'must be an absolute URL such as http://127.0.0.1:3979/api/messages' : `must be a valid ${String(p.format)}`;
    case 'uniqueItems':
      return `has the same entry twice (items ${String(p.j)} and ${String(p.i)})`;
    default:
      return error.message ?? `fails the ${error.keyword} rule`;
  }
}

function patternText(pointer: string, pattern: string): string {
  if (pointer.endsWith('/path')) return 'must start with "/" and contain only URL path characters';
  if (pointer.endsWith('/certificateThumbprint')) return 'must be 40 hexadecimal characters';
  if (pointer.startsWith('/tunnel/id')) return 'must be 3 to 60 lowercase letters, digits or dashes, starting with a letter or digit';
  if (pattern.startsWith('^https?')) return 'must start with http:// or https://';
  return `must match ${pattern}`;
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'array') return 'a list ([…])';
  if (type === 'object') return 'an object ({…})';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The nearest known key within edit distance 2, for typo hints (and the editor's "Did you mean" quick fix). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
