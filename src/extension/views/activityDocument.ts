import * as vscode from 'vscode';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import { REASONS } from '../../core/reasons';
import type { Ctx } from '../ctx';
import { activityTitle } from './activityTree';

export const ACTIVITY_SCHEME = 'teams-bot-activity';

/**
 * The tab title is the path's last segment, so it reads `message · Alice Wilber · 17:20:05`
 * instead of a record id; the id travels in the query, which keeps two activities
 * with the same title apart.
 */
export function activityUri(record: ActivityRecord): vscode.Uri {
  const time = new Date(record.time).toLocaleTimeString(undefined, { hour12: false });
  const title = `${activityTitle(record)} · ${time}`.replace(/[/\\]/g, '∕');
  return vscode.Uri.from({ scheme: ACTIVITY_SCHEME, path: `/${title}`, query: record.id });
}

/**
 * A recorded activity as a read-only JSON document: the fate and reason on
 * top, then what arrived (redacted) and what the bot answered.
 */
export class ActivityDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: Ctx) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const record = this.ctx.stores()?.activities.get(uri.query);
    if (!record) return `// Activity ${uri.query} is no longer in the log (it was cleared or rotated out).\n`;
    return `${JSON.stringify(documentOf(record), null, 2)}\n`;
  }
}

/** Records are redacted when they are recorded (ActivityLog.record), so this only arranges them. */
export function documentOf(record: ActivityRecord): Record<string, unknown> {
  return {
    fate: record.fate,
    reason: record.reason,
    why: REASONS[record.reason]?.text,
    detail: record.detail,
    warnings: record.warnings,
    direction: record.direction,
    time: record.time,
    httpStatus: record.status,
    latencyMs: record.latencyMs,
    source: record.source,
    auth: record.auth,
    pairingCode: record.pairingCode,
    botResponse: record.botResponse,
    activity: record.activity,
  };
}
