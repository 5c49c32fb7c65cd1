import type { Activity } from '../activity/activity';
import type { InvokeResponse } from '../activity/invokeResponse';

/**
 * A conversation test: a recorded conversation replayed against a bot by
 * `teams-bot-dev test`. Plain JSON, one step per inbound activity, so a
 * change to the bot's replies reads as a small diff in code review:
 *
 *   { "steps": [ { "inbound": {…}, "replies": [ {…} ], "invokeResponse": { "status": 200, "body": {…} } } ] }
 *
 * schema/conversation-test.schema.json is the one description of the format;
 * these types mirror it. Reading and writing files: conversationFile.ts.
 */

export const CONVERSATION_SUFFIX = '.conversation.json';
export const TRANSCRIPT_SUFFIX = '.transcript';

/** The bot's HTTP answer to an invoke activity (a card action's response, a task module, …). */
export type { InvokeResponse };

/** Per-file or per-step comparison overrides. */
export interface Overrides {
  /** Paths left out of the comparison, on top of DEFAULT_IGNORE. */
  ignore?: string[];
  /** Paths compared with a regular expression instead of the recorded value. */
  match?: Record<string, string>;
}

export interface ConversationStep extends Overrides {
  name?: string;
  inbound: Activity;
  /** undefined: not recorded yet (an inbound-only recording); [] expects silence. */
  replies?: Record<string, unknown>[];
  invokeResponse?: InvokeResponse;
}

export interface ConversationTest extends Overrides {
  $schema?: string;
  name?: string;
  steps: ConversationStep[];
}

/** A test as read from disk: where it came from, and where --update writes it. */
export interface ConversationFile {
  file: string;
  /** The name in reports: the test's own name, else the file's path as given. */
  name: string;
  test: ConversationTest;
  /** The file --update writes: the file itself, or NAME.conversation.json beside a .transcript. */
  updateTarget: string;
}

/** A file that cannot be used as a test: missing, not JSON, or not in the format. One sentence per problem. */
export class ConversationFileError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
    this.name = 'ConversationFileError';
  }
}
