/**
 * The vocabulary of the Delivery Check report: one hop per place a Teams
 * message passes on its way to the bot, in the order it passes them.
 */
export type HopId = 'config' | 'webhook' | 'tunnel' | 'probe' | 'endpoint' | 'credentials' | 'bot' | 'last-activity';

/**
 * passed / failed / skipped (a prerequisite failed or the hop does not apply,
 * with why). `warning` is a finding that does not by itself stop delivery:
 * no activity from Teams yet, or the last one deliberately dropped by the
 * policy. Only `failed` makes the check (and `teams-bot-dev check`) fail.
 */
export type HopStatus = 'passed' | 'failed' | 'warning' | 'skipped';

/** A one-click fix: a VS Code command (with JSON arguments) and what to type outside VS Code. */
export interface HopFix {
  /** Button text, e.g. "Start Tunnel". */
  title: string;
  /** A teamsBot.* command id; absent when only the CLI or a page can help. */
  command?: string;
  args?: unknown[];
  /** The same fix in a terminal, e.g. "devtunnel host mybot". */
  cli?: string;
  /** A page that explains or installs, opened in the browser. */
  url?: string;
}

export interface HopResult {
  id: HopId;
  title: string;
  status: HopStatus;
  /** One sentence: what was found. */
  summary: string;
  /** The facts behind it: URLs, ports, statuses, the CLIs' answers (never a secret). */
  evidence: string[];
  fix?: HopFix;
}

export interface DeliveryCheckReport {
  /** False when any hop failed. */
  ok: boolean;
  /** ISO time the check started. */
  time: string;
  configFile: string;
  stateDir: string;
  /** In hop order; `byUrgency` sorts them for display. */
  hops: HopResult[];
}

export const HOP_TITLES: Record<HopId, string> = {
  config: 'Config is valid',
  webhook: 'Webhook is listening',
  tunnel: 'Dev tunnel is hosted and forwards the webhook port',
  probe: 'Public URL reaches the webhook',
  endpoint: 'Teams app endpoint is the tunnel URL',
  credentials: 'Bot credentials get a token',
  bot: 'Bot accepts connections',
  'last-activity': 'Last activity from Teams',
};

const URGENCY: Record<HopStatus, number> = { failed: 0, warning: 1, passed: 2, skipped: 3 };

/** Failures first, then warnings, what passed and what was skipped (as Teams App Doctor reads); hop order within each. */
export function byUrgency(hops: readonly HopResult[]): HopResult[] {
  return hops.map((hop, i) => ({ hop, i })).sort((a, b) => URGENCY[a.hop.status] - URGENCY[b.hop.status] || a.i - b.i).map(({ hop }) => hop);
}

export function countByStatus(hops: readonly HopResult[]): Record<HopStatus, number> {
  const counts: Record<HopStatus, number> = { passed: 0, failed: 0, warning: 0, skipped: 0 };
  for (const hop of hops) counts[hop.status]++;
  return counts;
}
