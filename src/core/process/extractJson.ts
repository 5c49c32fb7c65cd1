import { stripAnsi } from './ansi';

/**
 * Finds the JSON document in a CLI's stdout. Tools asked for --json still
 * sometimes print a banner, a welcome message or an update notice around it,
 * so the first complete, parseable object (or array) is taken.
 */
export function extractJson(output: string): unknown {
  const text = stripAnsi(output).trim();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    /* fall through to scanning */
  }
  for (let start = 0; start < text.length; start++) {
    const ch = text[start];
    if (ch !== '{' && ch !== '[') continue;
    const end = matchingClose(text, start);
    if (end < 0) continue;
    try {
      return JSON.parse(text.slice(start, end + 1));
    } catch {
      /* not JSON after all: keep looking */
    }
  }
  return undefined;
}

/** Index of the bracket closing the one at `start`, honouring strings; -1 if unbalanced. */
function matchingClose(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
