/**
 * Terminal escape sequences. CLIs colour their output when they think a human
 * is watching (and some do regardless), so every parser and log line goes
 * through this first.
 */
// CSI sequences (colours, cursor moves), OSC sequences (hyperlinks, titles), and lone two-byte escapes.
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}
