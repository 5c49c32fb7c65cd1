/** "1 activity", "0 activities", "3 pairing requests": a count with its noun, never "request(s)". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
