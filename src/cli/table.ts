import { oneLine } from '../core/displayText';

/**
 * A plain text table for a terminal: columns padded to their widest cell, two spaces apart. Cells hold what
 * senders and bots wrote (names, text, ids), so each is one line with its control characters shown, not obeyed.
 */
export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(oneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
