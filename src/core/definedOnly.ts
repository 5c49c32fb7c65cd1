/**
 * A copy of `value` without the keys whose value is undefined: so spreading
 * it over defaults (`{ ...defaults, ...definedOnly(partial) }`) cannot blank
 * a default, and a JSON file does not gain keys it would drop anyway.
 * `emptyStrings: true` drops '' too, for settings where empty means unset
 * (an app password field left empty).
 */
export function definedOnly<T extends object>(value: T, opts?: { emptyStrings?: boolean }): T;
export function definedOnly<T extends object>(value: T | undefined, opts?: { emptyStrings?: boolean }): Partial<T>;
export function definedOnly<T extends object>(value: T | undefined, opts: { emptyStrings?: boolean } = {}): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && !(opts.emptyStrings && v === ''))) as Partial<T>;
}
