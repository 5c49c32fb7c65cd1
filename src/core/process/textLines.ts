import { stripAnsi } from './ansi';

/** The visible, non-blank lines of a tool's output, trimmed, whatever its line endings. */
export function nonEmptyLines(output: string): string[] {
  return stripAnsi(output)
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** The last thing a tool said: usually the error sentence worth quoting. */
export function lastLine(output: string): string {
  const lines = nonEmptyLines(output);
  return lines[lines.length - 1] ?? '';
}

/** The first line of a message (a tool's, a service's, an exception's), trimmed: what follows (a stack, trace ids) is for the log. */
export function firstLine(text: string): string {
  return text.split(/\r?\n/)[0].trim();
}
