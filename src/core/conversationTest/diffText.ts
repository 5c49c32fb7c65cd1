import type { Activity } from '../activity/activity';
import type { Difference } from './compare';
import type { FileResult, RunResult, StepResult } from './results';

/**
 * The human report: one line per step, and under a failing step what went
 * wrong, one difference at a time, as
 *
 *     reply 1: text
 *       - "Hello, Alice!"
 *       + "Howdy, Alice!"
 *
 * ("-" expected, "+" what the bot did). The path after "reply 1:" is the one
 * `ignore` and `match` take. The last line is the summary, alone on its line.
 */

const MAX_VALUE_CHARS = 400;

/** "step 2: message "card"", "step 3: invoke adaptiveCard/action", or "step 1: <the step's name>". */
export function stepTitle(index: number, inbound: Activity, name?: string): string {
  if (name) return `step ${index}: ${name}`;
  const what = inbound.type === 'message' && typeof inbound.text === 'string'
    ? `message ${JSON.stringify(preview(inbound.text, 60))}`
    : typeof inbound.name === 'string' ? `${inbound.type} ${inbound.name}` : inbound.type;
  return `step ${index}: ${what}`;
}

/** The lines under a failing step (indented by four spaces), without the step's own line. */
export function failureText(step: StepResult): string {
  const lines: string[] = [];
  for (const p of step.problems) lines.push(`    ${p}`);
  for (const d of step.differences) lines.push(...differenceLines(d));
  return lines.join('\n');
}

export function differenceLines(d: Difference): string[] {
  const head = d.path ? `    ${d.where}: ${d.path}` : `    ${d.where}`;
  switch (d.kind) {
    case 'missing':
      return [`${head} (missing)`, `      - ${show(d.expected)}`, '      + (absent)'];
    case 'unexpected':
      return [`${head} (unexpected)`, '      - (absent)', `      + ${show(d.actual)}`];
    case 'no-match':
      return [`${head} does not match /${d.pattern}/`, `      + ${show(d.actual)}`];
    default:
      return [head, `      - ${show(d.expected)}`, `      + ${show(d.actual)}`];
  }
}

/** The summary line, exactly "N passed, N failed". */
export function summaryLine(run: Pick<RunResult, 'passed' | 'failed'>): string {
  return `${run.passed} passed, ${run.failed} failed`;
}

/** The whole human report, ending with the summary line and a newline. */
export function textReport(run: RunResult): string {
  const out: string[] = [];
  for (const file of run.files) out.push(...fileLines(file));
  out.push('', summaryLine(run));
  return `${out.join('\n')}\n`;
}

/** One file's lines: its name, a line per step, the differences under each failing step. */
export function fileReport(file: FileResult): string {
  return fileLines(file).join('\n');
}

function fileLines(file: FileResult): string[] {
  const lines = [file.name];
  for (const step of file.steps) {
    const mark = step.status === 'passed' ? 'PASS' : step.status === 'updated' ? 'REC ' : 'FAIL';
    lines.push(`  ${mark} ${step.title}`);
    if (step.status === 'failed') lines.push(failureText(step));
  }
  if (file.updatedFile) lines.push(`  recorded the bot's replies in ${file.updatedFile}`);
  return lines;
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  return preview(JSON.stringify(value), MAX_VALUE_CHARS);
}

function preview(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
