import { isDeepStrictEqual } from 'node:util';
import type { InvokeResponse, Overrides } from './testFormat';

/**
 * The comparer: what the bot did in one step against what the test expects.
 *
 * A reply is compared whole (missing and extra fields both count), except for
 * the envelope, which the gateway, the replay or the Bot Connector decide
 * rather than the bot: DEFAULT_IGNORE. A test adds paths to ignore, or to
 * check with a regular expression instead of the recorded value (a time in a
 * reply, a generated id in a card), per file or per step.
 *
 * Paths are dot paths into each reply (`attachments.0.content.body.*.text`,
 * `*` for any key or index), or into the invoke response when they start with
 * `invokeResponse.`: the same text a difference prints, so a line of a failing
 * diff can be pasted into `ignore` or `match` as it is.
 */

export const DEFAULT_IGNORE: readonly string[] = [
  'id', 'timestamp', 'localTimestamp', 'localTimezone', 'serviceUrl', 'replyToId',
  // Who and where: copied from the replayed activity by the bot's SDK, or filled in by the connector.
  'from', 'recipient', 'conversation', 'channelId',
];

const INVOKE_PREFIX = 'invokeResponse';

export interface StepOutcome {
  replies: Record<string, unknown>[];
  invokeResponse?: InvokeResponse;
}

export interface Difference {
  /** "reply 2" or "invoke response". */
  where: string;
  /** The dot path inside it; '' for the whole reply. */
  path: string;
  kind: 'changed' | 'missing' | 'unexpected' | 'no-match';
  expected?: unknown;
  actual?: unknown;
  /** For no-match: the regular expression. */
  pattern?: string;
}

type Segments = string[];

interface Rules {
  replyIgnore: Segments[];
  replyMatch: { path: Segments; pattern: string }[];
  invokeIgnore: Segments[];
  invokeMatch: { path: Segments; pattern: string }[];
}

/** The file's overrides, then the step's: both apply, on top of DEFAULT_IGNORE. */
function rules(overrides: (Overrides | undefined)[]): Rules {
  const r: Rules = { replyIgnore: [], replyMatch: [], invokeIgnore: [], invokeMatch: [] };
  const ignore = [...DEFAULT_IGNORE, ...overrides.flatMap((o) => o?.ignore ?? [])];
  for (const p of ignore) {
    const segs = p.split('.');
    if (segs[0] === INVOKE_PREFIX) r.invokeIgnore.push(segs.slice(1));
    else r.replyIgnore.push(segs);
  }
  for (const o of overrides) {
    for (const [p, pattern] of Object.entries(o?.match ?? {})) {
      const segs = p.split('.');
      if (segs[0] === INVOKE_PREFIX) r.invokeMatch.push({ path: segs.slice(1), pattern });
      else r.replyMatch.push({ path: segs, pattern });
    }
  }
  return r;
}

/** Every difference between the expected and the actual outcome of a step; [] when they agree. */
export function compareStep(expected: StepOutcome, actual: StepOutcome, overrides: (Overrides | undefined)[]): Difference[] {
  const r = rules(overrides);
  const diffs: Difference[] = [];
  const n = Math.max(expected.replies.length, actual.replies.length);
  for (let i = 0; i < n; i++) {
    const where = `reply ${i + 1}`;
    const exp = expected.replies[i];
    const act = actual.replies[i];
    if (exp === undefined) {
      diffs.push({ where, path: '', kind: 'unexpected', actual: strip(act, r.replyIgnore) });
    } else if (act === undefined) {
      diffs.push({ where, path: '', kind: 'missing', expected: strip(exp, r.replyIgnore) });
    } else {
      compareValue(where, exp, act, r.replyIgnore, r.replyMatch, diffs);
    }
  }
  if (expected.invokeResponse !== undefined) {
    const where = 'invoke response';
    if (actual.invokeResponse === undefined) diffs.push({ where, path: '', kind: 'missing', expected: expected.invokeResponse });
    else compareValue(where, expected.invokeResponse, actual.invokeResponse, r.invokeIgnore, r.invokeMatch, diffs);
  }
  return diffs;
}

/** A reply as --update records it: without the ignored paths, so the file holds only what the test checks. */
export function recordableReply(reply: Record<string, unknown>, overrides: (Overrides | undefined)[]): Record<string, unknown> {
  return strip(reply, rules(overrides).replyIgnore) as Record<string, unknown>;
}

function compareValue(where: string, expected: unknown, actual: unknown, ignore: Segments[], match: Rules['replyMatch'], diffs: Difference[]): void {
  const skip = [...ignore, ...match.map((m) => m.path)];
  deepDiff(where, [], strip(expected, skip), strip(actual, skip), diffs);
  for (const { path, pattern } of match) {
    const regex = new RegExp(pattern);
    const found = valuesAt(actual, path, []);
    if (found.length === 0 && valuesAt(expected, path, []).length > 0) {
      diffs.push({ where, path: path.join('.'), kind: 'missing', expected: `a value matching /${pattern}/` });
    }
    for (const { at, value } of found) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (!regex.test(text)) diffs.push({ where, path: at.join('.'), kind: 'no-match', actual: value, pattern });
    }
  }
}

function deepDiff(where: string, at: Segments, expected: unknown, actual: unknown, diffs: Difference[]): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const p = [...at, String(i)];
      if (i >= actual.length) diffs.push({ where, path: p.join('.'), kind: 'missing', expected: expected[i] });
      else if (i >= expected.length) diffs.push({ where, path: p.join('.'), kind: 'unexpected', actual: actual[i] });
      else deepDiff(where, p, expected[i], actual[i], diffs);
    }
    return;
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    for (const key of Object.keys(expected)) {
      const p = [...at, key];
      if (!Object.hasOwn(actual, key)) diffs.push({ where, path: p.join('.'), kind: 'missing', expected: expected[key] });
      else deepDiff(where, p, expected[key], actual[key], diffs);
    }
    for (const key of Object.keys(actual)) {
      if (!Object.hasOwn(expected, key)) diffs.push({ where, path: [...at, key].join('.'), kind: 'unexpected', actual: actual[key] });
    }
    return;
  }
  if (!isDeepStrictEqual(expected, actual)) diffs.push({ where, path: at.join('.'), kind: 'changed', expected, actual });
}

/** A deep copy without the values at the given paths. */
function strip(value: unknown, paths: Segments[]): unknown {
  const copy = structuredClone(value);
  for (const p of paths) remove(copy, p);
  return copy;
}

function remove(value: unknown, segs: Segments): void {
  if (segs.length === 0 || typeof value !== 'object' || value === null) return;
  const [head, ...rest] = segs;
  const container = value as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(container) : Object.hasOwn(container, head) ? [head] : [];
  for (const key of keys) {
    if (rest.length === 0) {
      if (Array.isArray(container)) container[Number(key)] = undefined;
      else delete container[key];
    } else {
      remove(container[key], rest);
    }
  }
  // Removing from an array leaves a hole: take it out, so indexes after it still line up with the expected ones.
  if (Array.isArray(container) && rest.length === 0) {
    for (let i = container.length - 1; i >= 0; i--) if (container[i] === undefined) container.splice(i, 1);
  }
}

function valuesAt(value: unknown, segs: Segments, at: Segments): { at: Segments; value: unknown }[] {
  if (segs.length === 0) return value === undefined ? [] : [{ at, value }];
  if (typeof value !== 'object' || value === null) return [];
  const [head, ...rest] = segs;
  const container = value as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(container) : Object.hasOwn(container, head) ? [head] : [];
  return keys.flatMap((key) => valuesAt(container[key], rest, [...at, key]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
