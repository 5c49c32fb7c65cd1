import { formatSeconds } from '../process/processErrors';
import { INVOKE_CONTRACTS, UNKNOWN_INVOKE, type InvokeContract } from './invokeContracts';

/** One problem with the bot's answer: `code` is stable (filters, tests), `text` is one sentence for people. */
export interface InvokeWarning {
  code: InvokeWarningCode;
  text: string;
}

export type InvokeWarningCode = 'invoke-no-answer' | 'invoke-late' | 'invoke-status' | 'invoke-body';

/**
 * What the bot did with the invoke. `body` is the decoded answer as the
 * activity log keeps it (parsed JSON, or text); `bodyUnreadable` says why it
 * could not be read (an encoding the gateway cannot undo, an answer too big to
 * parse), and then the shape is not checked. `none`: no answer reached the
 * gateway (bot-timeout, bot-unreachable, bot-answer-too-large).
 */
export type InvokeAnswer =
  | { status: number; body: unknown; latencyMs: number; bodyUnreadable?: string }
  | { none: string; detail?: string };

export interface InvokeCheckOptions {
  /**
   * Replaces every invoke's documented deadline. Only for tests: a bot that is
   * late for a 100 ms deadline proves the check without waiting 5 s.
   */
  deadlineMs?: number;
}

/**
 * Checks the bot's answer to an invoke against what Teams requires for that
 * invoke's name (invokeContracts.ts). Returns the problems, none when the
 * answer is one Teams accepts, and none for activities that are not invokes
 * (Teams reads no answer for those). Never throws: whatever the bot answered
 * is input.
 */
export function checkInvokeAnswer(activity: { type?: unknown; name?: unknown }, answer: InvokeAnswer, options: InvokeCheckOptions = {}): InvokeWarning[] {
  if (activity.type !== 'invoke') return [];
  const name = typeof activity.name === 'string' ? activity.name : '';
  const contract: InvokeContract = Object.hasOwn(INVOKE_CONTRACTS, name) ? INVOKE_CONTRACTS[name] : UNKNOWN_INVOKE;
  const label = name ? `the ${name} invoke` : 'an invoke without a name';
  const deadlineMs = options.deadlineMs ?? contract.deadlineMs;

  if ('none' in answer) {
    return [{
      code: 'invoke-no-answer',
      text: `the bot gave no answer to ${label} (${answer.none}); Teams waits ${formatSeconds(deadlineMs)} for it and then shows the user an error ("Unable to reach app" or a failed card action)`,
    }];
  }

  const warnings: InvokeWarning[] = [];
  if (answer.latencyMs > deadlineMs) {
    warnings.push({
      code: 'invoke-late',
      text: `the bot answered ${label} after ${formatSeconds(answer.latencyMs)}, but Teams waits only ${formatSeconds(deadlineMs)} (${contract.doc}): in Teams the user sees an error and the answer is thrown away`,
    });
  }

  const statusOk = contract.statuses.length === 0 ? answer.status < 500 : contract.statuses.includes(answer.status);
  if (!statusOk) {
    const wanted = contract.statuses.length === 0 ? 'a status below 500' : `HTTP ${contract.statuses.join(' or ')}`;
    warnings.push({
      code: 'invoke-status',
      text: `the bot answered ${label} with HTTP ${answer.status}; Teams needs ${wanted} (${contract.doc})${answer.status >= 500 ? ', so the user sees an error' : ''}`,
    });
    // A wrong status is the problem to fix first; its body (an error page, a stack trace) is not meant to fit.
    return warnings;
  }

  if (contract.body && !answer.bodyUnreadable) {
    const body = asJson(answer.body);
    const problem = contract.body(body);
    if (problem) {
      warnings.push({ code: 'invoke-body', text: `the bot's answer to ${label} does not have the shape Teams needs: ${problem}${envelopeHint(body)} (${contract.doc})` });
    }
  }
  return warnings;
}

/**
 * A common slip: the SDK's InvokeResponse ({status, body}) written as the HTTP body, so Teams gets the envelope
 * instead of what is inside it.
 */
function envelopeHint(body: unknown): string {
  const looksLikeEnvelope = typeof body === 'object' && body !== null && typeof (body as { status?: unknown }).status === 'number' && 'body' in body;
  return looksLikeEnvelope ? '; it looks like an InvokeResponse ({status, body}) sent as the body: answer with its status and send only its body' : '';
}

/** The log keeps a JSON body parsed only when the bot said it was JSON; Teams parses it regardless. */
function asJson(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
