import { failureText } from './diffText';
import type { RunResult } from './results';

/**
 * JUnit XML, the report format CI systems read (GitHub Actions test
 * reporters, Azure Pipelines PublishTestResults, GitLab, Jenkins): one
 * <testsuite> per conversation file, one <testcase> per step, and the same
 * diff text as the human report in each <failure>.
 */
export function junitReport(run: RunResult): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = run.files.reduce((ms, f) => ms + f.steps.reduce((s, st) => s + st.durationMs, 0), 0);
  lines.push(`<testsuites name="teams-bot-dev conversation tests" tests="${run.passed + run.failed}" failures="${run.failed}" errors="0" time="${seconds(total)}">`);
  for (const file of run.files) {
    const failures = file.steps.filter((s) => s.status === 'failed').length;
    const time = file.steps.reduce((s, st) => s + st.durationMs, 0);
    lines.push(`  <testsuite name="${attr(file.name)}" file="${attr(file.file)}" tests="${file.steps.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(time)}">`);
    for (const step of file.steps) {
      const open = `    <testcase classname="${attr(file.name)}" name="${attr(step.title)}" file="${attr(file.file)}" time="${seconds(step.durationMs)}"`;
      if (step.status !== 'failed') {
        lines.push(`${open}/>`);
        continue;
      }
      const first = step.problems[0] ?? `${step.differences.length} difference${step.differences.length === 1 ? '' : 's'} from the recording`;
      lines.push(`${open}>`);
      lines.push(`      <failure message="${attr(first)}" type="ConversationMismatch">${text(failureText(step))}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

// XML 1.0 allows tab, newline, carriage return and printable characters; a bot's reply may carry anything.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function text(s: string): string {
  return s.replace(NOT_XML, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
