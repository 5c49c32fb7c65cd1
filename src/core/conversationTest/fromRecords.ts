import type { Activity } from '../activity/activity';
import type { ActivityRecord } from '../activity/activityRecord';
import type { ConversationTest } from './testFormat';

/**
 * A conversation test from the activity log (the sidebar's Save as
 * Conversation Test…): each activity that reached the bot, oldest first, as a
 * step. Only the inbound side is saved: the log holds the bot's replies only
 * when they went to the simulator, and never an invoke's answer, so the
 * replies are recorded from the bot itself by the first run with --update
 * (Record Replies in the Test Explorer). Dropped and rejected activities never
 * reached the bot and are left out; so is a record whose body was not JSON.
 */
export function conversationFromRecords(records: ActivityRecord[], name?: string): ConversationTest {
  const steps = records
    .filter((r) => r.direction === 'inbound' && r.fate === 'delivered' && isActivity(r.activity))
    .slice()
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => ({ inbound: structuredClone(r.activity) as Activity }));
  return { ...(name ? { name } : {}), steps };
}

function isActivity(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';
}
