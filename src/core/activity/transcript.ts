import type { ActivityRecord } from './activityRecord';

/**
 * A Bot Framework ".transcript" file, the format the Bot Framework Emulator
 * saves and opens: a JSON array of activities, oldest first. When it replays
 * one, the Emulator decides who is who from `from.role` / `recipient.role`
 * ("user" or "bot") and rewrites the conversation id, so both roles must be
 * present on every activity.
 *
 * Inbound activities are written as received (already redacted by the log),
 * outbound ones as sent. Records without an activity (a body that was not
 * JSON, for instance) have nothing to replay and are skipped.
 */
export function toTranscript(records: ActivityRecord[]): string {
  const chronological = records
    .filter((r) => r.activity !== undefined && r.activity !== null && typeof r.activity === 'object')
    .slice()
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || compare(a.id, b.id));
  return `${JSON.stringify(chronological.map(toTranscriptActivity), null, 2)}\n`;
}

function toTranscriptActivity(record: ActivityRecord): Record<string, unknown> {
  const activity = structuredClone(record.activity) as Record<string, unknown>;
  const s = record.summary ?? {};
  const inbound = record.direction === 'inbound';
  const user = { id: s.senderId ?? 'user', ...(s.senderName ? { name: s.senderName } : {}) };
  const bot = { id: 'bot' };

  const from = asAccount(activity.from) ?? (inbound ? user : bot);
  const recipient = asAccount(activity.recipient) ?? (inbound ? bot : user);
  const conversation = asAccount(activity.conversation) ?? { id: s.conversationId ?? 'conversation' };

  return {
    ...activity,
    type: typeof activity.type === 'string' ? activity.type : s.type ?? 'message',
    id: typeof activity.id === 'string' ? activity.id : record.id,
    timestamp: typeof activity.timestamp === 'string' ? activity.timestamp : record.time,
    from: { ...from, role: inbound ? 'user' : 'bot' },
    recipient: { ...recipient, role: inbound ? 'bot' : 'user' },
    conversation,
    ...(typeof activity.text === 'string' ? { text: activity.text } : {}),
  };
}

function asAccount(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { id?: unknown }).id === 'string'
    ? (value as Record<string, unknown>)
    : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
