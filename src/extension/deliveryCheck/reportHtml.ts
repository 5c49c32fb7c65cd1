import { byUrgency, type DeliveryCheckReport, type HopFix, type HopResult } from '../../core/deliveryCheck/hops';
import { reportCounts, STATUS_MARK } from '../../core/deliveryCheck/reportText';

/**
 * The Delivery Check report as a static page (no script; a strict CSP):
 * failures first, as Run Teams App Doctor shows them, each hop with its
 * evidence and its fix as a command: link (the panel enables exactly those
 * commands), the terminal equivalent and a documentation link.
 */
export function reportHtml(report: DeliveryCheckReport): string {
  const hops = byUrgency(report.hops).map(hopHtml).join('\n');
  const verdict = report.ok ? 'Nothing on the way from Teams to your bot is broken.' : 'A message from Teams cannot reach your bot: fix the first failure below, then run the check again.';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<title>Delivery Check</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 16px; }
  h1 { font-size: 1.4em; }
  .hop { border-left: 3px solid var(--vscode-panel-border); padding: 4px 12px; margin: 12px 0; }
  .hop.failed { border-color: var(--vscode-testing-iconFailed, #f14c4c); }
  .hop.warning { border-color: var(--vscode-editorWarning-foreground, #cca700); }
  .hop.passed { border-color: var(--vscode-testing-iconPassed, #73c991); }
  .hop.skipped { opacity: 0.75; }
  .mark { font-weight: bold; margin-right: 6px; }
  .failed .mark { color: var(--vscode-testing-iconFailed, #f14c4c); }
  .warning .mark { color: var(--vscode-editorWarning-foreground, #cca700); }
  .passed .mark { color: var(--vscode-testing-iconPassed, #73c991); }
  ul.evidence { margin: 4px 0; padding-left: 18px; color: var(--vscode-descriptionForeground); }
  code { font-family: var(--vscode-editor-font-family); }
  a.fix { display: inline-block; padding: 2px 10px; margin: 4px 8px 4px 0; background: var(--vscode-button-background); color: var(--vscode-button-foreground); text-decoration: none; border-radius: 2px; }
</style>
</head>
<body>
<h1>Delivery Check</h1>
<p><strong>${escapeHtml(reportCounts(report))}</strong>. ${escapeHtml(verdict)}</p>
<p>${escapeHtml(report.configFile)} · ${escapeHtml(new Date(report.time).toLocaleString())} · <a href="${commandUri('teamsBot.deliveryCheck')}">Run Again</a></p>
${hops}
</body>
</html>
`;
}

function hopHtml(hop: HopResult): string {
  const evidence = hop.evidence.length ? `<ul class="evidence">${hop.evidence.map((e) => `<li><code>${escapeHtml(e)}</code></li>`).join('')}</ul>` : '';
  const fix = hop.fix && hop.status !== 'passed' && hop.status !== 'skipped' ? fixHtml(hop.fix) : hop.fix?.command === 'teamsBot.showActivity' ? fixHtml(hop.fix) : '';
  return `<div class="hop ${hop.status}" data-hop="${hop.id}" data-status="${hop.status}">
<div><span class="mark" role="img" aria-label="${hop.status}">${STATUS_MARK[hop.status]}</span><strong>${escapeHtml(hop.title)}</strong></div>
<div>${escapeHtml(hop.summary)}</div>
${evidence}${fix}
</div>`;
}

function fixHtml(fix: HopFix): string {
  const parts: string[] = [];
  if (fix.command) parts.push(`<a class="fix" href="${commandUri(fix.command, fix.args)}">${escapeHtml(fix.title)}</a>`);
  else if (fix.url) parts.push(`<a class="fix" href="${escapeHtml(fix.url)}">${escapeHtml(fix.title)}</a>`);
  if (fix.cli) parts.push(`<span>In a terminal: <code>${escapeHtml(fix.cli)}</code></span>`);
  if (fix.command && fix.url) parts.push(`<a href="${escapeHtml(fix.url)}">More</a>`);
  return `<div class="fixes">${parts.join(' ')}</div>`;
}

/** command:ID?ARGS, ARGS the URI-encoded JSON array VS Code passes to the command. */
export function commandUri(command: string, args?: unknown[]): string {
  return escapeHtml(`command:${command}${args?.length ? `?${encodeURIComponent(JSON.stringify(args))}` : ''}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
