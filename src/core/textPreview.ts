/**
 * A short one-line preview of message text for a toast or a row: the first
 * line, whitespace collapsed, cut at a word boundary with an ellipsis, so a
 * preview never ends in half a word ("…and you are n").
 */
export function previewText(text: string, max = 80): string {
  const line = text.split(/\r?\n/).find((l) => l.trim()) ?? '';
  const flat = line.replace(/\s+/g, ' ').trim();
  const more = flat !== text.trim().replace(/\s+/g, ' ');
  if (flat.length <= max) return more ? `${flat}…` : flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  // A single word longer than the limit: cut it rather than show nothing.
  const head = space >= max / 2 ? cut.slice(0, space) : cut;
  return `${head.replace(/[\s,;:.\-–—]+$/, '')}…`;
}
