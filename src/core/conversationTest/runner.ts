import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Activity } from '../activity/activity';
import type { Logger } from '../logger';
import { Gateway } from '../gateway/gateway';
import type { RecordedResponse } from '../gateway/pipeline';
import { compareStep, recordableReply, type StepOutcome } from './compare';
import { writeConversationFile } from './conversationFile';
import { stepTitle } from './diffText';
import { tally, type FileResult, type RunResult, type StepResult } from './results';
import type { ConversationFile, ConversationStep } from './testFormat';
import { invokeResponseOf } from '../activity/invokeResponse';

/**
 * The replay runner. It starts a gateway of its own (local mode, a throwaway
 * config and state dir, an ephemeral loopback port) in front of the bot, and
 * sends each recorded inbound activity through the gateway's pipeline, the
 * same one the webhook runs, with the activity's serviceUrl pointed at the
 * gateway's simulator connector: the bot's replies come back as the
 * gateway's simulatorReply events instead of going to Teams. After the bot's
 * HTTP answer it waits for the bot to go quiet (settleMs without a new reply,
 * bounded), then compares.
 *
 * The throwaway config admits everyone (dmPolicy and groupPolicy "open", no
 * mention gating): a test checks the bot, not the developer's access policy,
 * and must not depend on who is in their allowFrom. Steps run in order, one
 * file after another, against one bot process: a conversation's state
 * carries from step to step as it did when it was recorded.
 */

export interface RunOptions {
  files: ConversationFile[];
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3979/api/messages. */
  botUrl: string;
  /** How long the bot must stay silent after its answer before a step is over. */
  settleMs: number;
  /** Record the bot's replies as the new expectations (snapshot style) instead of failing on differences. */
  update?: boolean;
  /** For the gateway's own log lines. */
  logger: Logger;
  /** Called as each file finishes (the CLI prints it at once). */
  onFile?(result: FileResult): void;
  /** A bot still sending after this long (default: 20 settle periods, at least 10 s) fails the step. */
  maxSettleMs?: number;
}

export const DEFAULT_SETTLE_MS = 500;
/** A bot that never goes quiet ends the step after this many settle periods (and at least 10 s), and the step fails. */
const MAX_SETTLE_PERIODS = 20;
const MIN_MAX_SETTLE_MS = 10_000;

/** The policy of the runner's own gateway: everyone is let in, so the bot sees every recorded activity. */
const TEST_CONFIG = {
  dmPolicy: 'open',
  allowFrom: ['*'],
  groupPolicy: 'open',
  requireMention: false,
  pairing: { autoReply: false },
};

export async function runConversationTests(opts: RunOptions): Promise<RunResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'teams-bot-dev-test-'));
  const configFile = path.join(dir, 'teams-bot.config.json');
  await fs.writeFile(configFile, `${JSON.stringify(TEST_CONFIG, null, 2)}\n`);
  // env {}: an MSTEAMS_APP_ID in the developer's shell must not turn the test gateway into JWT mode.
  const gateway = new Gateway({
    configFile,
    stateDir: path.join(dir, 'state'),
    logger: opts.logger,
    env: {},
    overrides: { port: 0, host: '127.0.0.1', botUrl: opts.botUrl },
  });
  try {
    await gateway.start();
    const files: FileResult[] = [];
    for (const file of opts.files) {
      const result = await runFile(gateway, file, opts);
      files.push(result);
      opts.onFile?.(result);
    }
    return tally(files);
  } finally {
    await gateway.stop().catch((err: Error) => opts.logger.warn(`[test] stopping the test gateway failed: ${err.message}`));
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function runFile(gateway: Gateway, file: ConversationFile, opts: RunOptions): Promise<FileResult> {
  const steps: StepResult[] = [];
  let changed = false;
  for (const [i, step] of file.test.steps.entries()) {
    const started = performance.now();
    const title = stepTitle(i + 1, step.inbound, step.name);
    const run = await runStep(gateway, step, opts.settleMs, opts.maxSettleMs ?? defaultMaxSettleMs(opts.settleMs));
    const durationMs = Math.round(performance.now() - started);
    const overrides = [file.test, step];
    if (run.problems.length) {
      steps.push({ index: i + 1, title, status: 'failed', problems: run.problems, differences: [], durationMs });
      continue;
    }
    const recorded = step.replies !== undefined;
    const differences = recorded ? compareStep({ replies: step.replies!, invokeResponse: step.invokeResponse }, run.outcome, overrides) : [];
    if (opts.update) {
      if (!recorded || differences.length || (run.outcome.invokeResponse && !step.invokeResponse)) {
        step.replies = run.outcome.replies.map((r) => recordableReply(r, overrides));
        if (run.outcome.invokeResponse) step.invokeResponse = run.outcome.invokeResponse;
        changed = true;
        steps.push({ index: i + 1, title, status: 'updated', problems: [], differences, durationMs });
      } else {
        // A transcript's replies carry their envelope (ids, times, roles): the test written beside it keeps what is compared.
        if (file.updateTarget !== file.file) step.replies = step.replies!.map((r) => recordableReply(r, overrides));
        steps.push({ index: i + 1, title, status: 'passed', problems: [], differences: [], durationMs });
      }
      continue;
    }
    if (!recorded) {
      const problems = ['nothing is recorded for this step yet: run `teams-bot-dev test --update` once to record the bot\'s replies'];
      steps.push({ index: i + 1, title, status: 'failed', problems, differences: [], durationMs });
      continue;
    }
    steps.push({ index: i + 1, title, status: differences.length ? 'failed' : 'passed', problems: [], differences, durationMs });
  }
  const result: FileResult = { file: file.file, name: file.name, steps };
  if (opts.update && (changed || file.updateTarget !== file.file)) {
    await writeConversationFile(file.updateTarget, file.test);
    result.updatedFile = file.updateTarget;
  }
  return result;
}

interface StepRun {
  outcome: StepOutcome;
  /** Why the step cannot be compared; [] when it can. */
  problems: string[];
}

async function runStep(gateway: Gateway, step: ConversationStep, settleMs: number, maxSettleMs: number): Promise<StepRun> {
  const replies: Record<string, unknown>[] = [];
  // A test compares what the bot sent; its updates and deletes of earlier messages are not replies.
  const off = gateway.on('simulatorReply', (e) => {
    if (e.op === undefined || e.op === 'send') replies.push(e.activity);
  });
  try {
    const inbound: Activity = { ...step.inbound, serviceUrl: gateway.simulatorServiceUrl };
    const response = await gateway.handleSimulated(inbound);
    const problems = answerProblems(inbound, response);
    const quiet = await settle(replies, settleMs, maxSettleMs);
    if (!quiet) problems.push(`the bot was still sending replies ${maxSettleMs} ms after its answer (a step ends after ${settleMs} ms without a reply: --settle-ms)`);
    const outcome: StepOutcome = { replies: [...replies] };
    if (inbound.type === 'invoke') outcome.invokeResponse = invokeResponseOf(response);
    return { outcome, problems };
  } finally {
    off();
  }
}

/** A step is comparable only if the bot got the activity and answered it without an error. */
function answerProblems(inbound: Activity, response: RecordedResponse): string[] {
  const record = response.record;
  if (record.fate !== 'delivered') return [`the gateway reports ${record.fate} (${record.reason}): ${record.detail}`];
  // An invoke's status is the bot's answer to compare; any other activity must simply be accepted.
  if (inbound.type !== 'invoke' && (response.status < 200 || response.status >= 300)) {
    return [`the bot answered HTTP ${response.status}${response.body.length ? `: ${response.body.toString('utf8').slice(0, 300)}` : ''}`];
  }
  return [];
}

function defaultMaxSettleMs(settleMs: number): number {
  return Math.max(settleMs * MAX_SETTLE_PERIODS, MIN_MAX_SETTLE_MS);
}

/** Resolves true once no reply has arrived for settleMs; false if the bot keeps sending past the bound. */
async function settle(replies: unknown[], settleMs: number, maxSettleMs: number): Promise<boolean> {
  const deadline = performance.now() + maxSettleMs;
  for (;;) {
    const seen = replies.length;
    await new Promise((r) => setTimeout(r, settleMs));
    if (replies.length === seen) return true;
    if (performance.now() > deadline) return false;
  }
}
