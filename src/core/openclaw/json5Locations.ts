/**
 * Where each value sits in a JSON5 text (openclaw.json), by dotted path, so
 * an issue reported for "channels.msteams.dmPolicy" can be underlined at its
 * line and column. The `json5` package parses but keeps no positions, and
 * jsonc-parser reads comments and trailing commas but not unquoted keys or
 * single quotes, so this walks the JSON5 grammar for offsets only; values
 * themselves come from JSON5.parse. On text it cannot read it stops and
 * returns what it found so far (the parse error is reported separately).
 */
export interface ValueLocation {
  /** Offset and length of the value (for a missing value, of its key). */
  offset: number;
  length: number;
  /** Offset and length of the key, when the value is an object member. */
  keyOffset?: number;
  keyLength?: number;
}

class Stop extends Error {}

export function locateJson5Values(text: string): Map<string, ValueLocation> {
  const found = new Map<string, ValueLocation>();
  let i = 0;

  const fail = (): never => {
    throw new Stop();
  };
  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === undefined) return;
      if (/\s|\uFEFF/.test(c)) i++;
      else if (c === '/' && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail();
        i = end + 2;
      } else return;
    }
  };
  const string = (): string => {
    const quote = text[i++];
    let out = '';
    while (i < text.length && text[i] !== quote) {
      if (text[i] === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
      } else out += text[i++];
    }
    if (text[i] !== quote) fail();
    i++;
    return out;
  };
  const key = (): string => {
    if (text[i] === '"' || text[i] === "'") return string();
    const m = /^[$_\p{L}][$_\p{L}\p{N}]*/u.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
    return m![0];
  };
  const value = (path: string, keyAt?: { offset: number; length: number }): void => {
    skip();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      for (;;) {
        skip();
        if (text[i] === '}') break;
        const keyOffset = i;
        const k = key();
        const keyLength = i - keyOffset;
        skip();
        if (text[i++] !== ':') fail();
        value(path ? `${path}.${k}` : k, { offset: keyOffset, length: keyLength });
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail();
      }
      i++;
    } else if (c === '[') {
      i++;
      for (let n = 0; ; n++) {
        skip();
        if (text[i] === ']') break;
        value(`${path}[${n}]`);
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail();
      }
      i++;
    } else if (c === '"' || c === "'") {
      string();
    } else {
      const m = /^(?:[+-]?(?:Infinity|NaN|0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|true|false|null)/.exec(text.slice(i));
      if (!m) fail();
      i += m![0].length;
    }
    if (path) found.set(path, { offset: start, length: i - start, ...(keyAt ? { keyOffset: keyAt.offset, keyLength: keyAt.length } : {}) });
  };

  try {
    value('');
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  return found;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
