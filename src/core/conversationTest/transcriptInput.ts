import type { Activity } from '../activity/activity';
import { ConversationFileError, type ConversationStep, type ConversationTest, type InvokeResponse } from './testFormat';

/**
 * A Bot Framework ".transcript" (saved by the Bot Framework Emulator, or
 * exported by this project: see ../activity/transcript.ts) as a conversation test.
 *
 * A transcript is a JSON array of activities, oldest first; `from.role` says
 * who sent each one. Every activity the user sent starts a step; what the bot
 * sent after it, up to the next user activity, is what that step expects. The
 * `invokeResponse` pseudo-activity the Bot Framework's transcript logger
 * writes becomes the step's expected invoke response.
 *
 * A transcript with no bot activity at all is an inbound-only recording (for
 * instance, real Teams traffic: Teams sends the replies straight to the Bot
 * Connector, so the gateway never saw them): its steps have nothing recorded
 * yet, and `teams-bot-dev test --update` records them. Bot activities before
 * the first user activity answer nothing that can be replayed and are left out.
 */
export function transcriptToConversation(json: unknown, file: string): ConversationTest {
  if (!Array.isArray(json)) throw new ConversationFileError(file, ['a .transcript must be a JSON array of activities']);
  const problems: string[] = [];
  json.forEach((a, i) => {
    if (typeof a !== 'object' || a === null || Array.isArray(a) || typeof (a as { type?: unknown }).type !== 'string') {
      problems.push(`${i}: not an activity (an object with a string "type")`);
    }
  });
  if (problems.length) throw new ConversationFileError(file, problems);

  const activities = json as Activity[];
  const recorded = activities.some(isFromBot);
  const steps: ConversationStep[] = [];
  for (const activity of activities) {
    if (!isFromBot(activity)) {
      steps.push(recorded ? { inbound: activity, replies: [] } : { inbound: activity });
      continue;
    }
    const step = steps.at(-1);
    if (!step) continue;
    if (activity.type === 'invokeResponse') {
      step.invokeResponse = invokeResponseOf(activity.value);
      continue;
    }
    step.replies!.push(activity);
  }
  if (steps.length === 0) throw new ConversationFileError(file, ['the transcript has no activity from the user to replay']);
  return { steps };
}

function isFromBot(activity: Activity): boolean {
  return activity.from?.role === 'bot' || activity.type === 'invokeResponse';
}

/** The transcript logger writes `value: { status, body }`; anything else is kept whole as the body. */
function invokeResponseOf(value: unknown): InvokeResponse {
  if (typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number') {
    const v = value as { status: number; body?: unknown };
    return v.body === undefined ? { status: v.status } : { status: v.status, body: v.body };
  }
  return { status: 200, body: value };
}
