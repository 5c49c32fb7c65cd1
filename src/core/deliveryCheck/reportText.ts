import { oneLine } from '../displayText';
import { byUrgency, countByStatus, type DeliveryCheckReport, type HopStatus } from './hops';

/** ✓ ✗ ! – : the marks the CLI and the extension's report share, readable without colour. */
export const STATUS_MARK: Record<HopStatus, string> = { failed: '✗', warning: '!', passed: '✓', skipped: '–' };

/** "2 failed, 1 warning, 4 passed, 1 skipped". */
export function reportCounts(report: DeliveryCheckReport): string {
  const c = countByStatus(report.hops);
  return [`${c.failed} failed`, `${c.warning} warning${c.warning === 1 ? '' : 's'}`, `${c.passed} passed`, `${c.skipped} skipped`].join(', ');
}

/** The report for a terminal, failures first (as Run Teams App Doctor reads), each with its evidence and fix. */
export function reportText(report: DeliveryCheckReport): string {
  const lines = [`Delivery Check: ${reportCounts(report)} (${report.configFile})`, ''];
  for (const hop of byUrgency(report.hops)) {
    // Summaries and evidence quote what others said (a tool's output, a sender's name, whatever answers on a port).
    lines.push(`${STATUS_MARK[hop.status]} ${hop.title}`, `    ${oneLine(hop.summary)}`);
    for (const e of hop.evidence) lines.push(`    · ${oneLine(e)}`);
    if (hop.fix && hop.status !== 'passed' && hop.status !== 'skipped') {
      const how = hop.fix.cli ?? hop.fix.url ?? `VS Code: Teams Bot: ${hop.fix.title}`;
      lines.push(`    fix: ${oneLine(how)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
