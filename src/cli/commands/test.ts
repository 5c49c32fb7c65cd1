import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Logger } from '../../core/logger';
import { findConversationFiles, readConversationFile } from '../../core/conversationTest/conversationFile';
import { ConversationFileError, type ConversationFile } from '../../core/conversationTest/testFormat';
import { runConversationTests, DEFAULT_SETTLE_MS } from '../../core/conversationTest/runner';
import { BotProcess } from '../../core/conversationTest/botProcess';
import { fileReport, summaryLine } from '../../core/conversationTest/diffText';
import { junitReport } from '../../core/conversationTest/junit';
import type { RunResult } from '../../core/conversationTest/results';
import { consoleLogger } from '../consoleLogger';
import { EXIT_OK, EXIT_USER_ERROR, UsageError, UserError } from '../cliError';
import { writeFileAtomic } from '../../core/atomicWrite';
import { freePort } from '../../core/process/freePort';

/**
 * `teams-bot-dev test [FILES…]`: replays recorded conversations against the
 * bot and compares its replies (src/core/conversationTest). Exit 0 when every
 * step passes, 1 when any fails (or the bot cannot be started), 2 for a usage
 * error: bad options, or a test file that is missing or not in the format.
 */

export const DEFAULT_TEST_DIR = 'test/conversations';

export interface TestOptions {
  botUrl?: string;
  botCommand?: string;
  settleMs?: number;
  update?: boolean;
  reporter?: 'text' | 'junit';
  output?: string;
}

/** `run` is main.ts's: it prints the error and exits 1 (UserError) or 2 (UsageError), as for every command. */
export function registerTestCommand(program: Command, run: (fn: () => Promise<number>) => void): void {
  program
    .command('test')
    .argument('[files...]', `conversation tests (*.conversation.json, *.transcript) or directories of them (default: ${DEFAULT_TEST_DIR})`)
    .description('replay recorded conversations against your bot through the local gateway and compare its replies')
    .option('--bot-url <url>', 'the running bot\'s messaging endpoint (with --bot-command: where the started bot listens)')
    .option('--bot-command <command>', 'start the bot with this shell command, PORT set, for the run; stopped afterwards')
    .addOption(new Option('--settle-ms <n>', 'a step ends once the bot has sent nothing for this long after its answer').default(DEFAULT_SETTLE_MS).argParser(wholeNumber))
    .option('--update', 're-record the expected replies from the current bot (writes NAME.conversation.json for a .transcript)')
    .addOption(new Option('--reporter <name>', 'output format').choices(['text', 'junit']).default('text'))
    .option('--output <file>', 'write the report to this file instead of stdout')
    .exitOverride()
    .action((files: string[], opts: TestOptions) => run(() => conversationTest(files, opts).catch((err: unknown) => {
      // A test file not in the format is a usage error (2); a bot that cannot be started or reached, a failure (1), said in one sentence.
      if (err instanceof UsageError || err instanceof UserError) throw err;
      throw err instanceof ConversationFileError ? new UsageError(err.message) : new UserError((err as Error).message ?? String(err));
    })));
}

export async function conversationTest(args: string[], opts: TestOptions): Promise<number> {
  if (!opts.botUrl && !opts.botCommand) throw new UsageError('say which bot to test: --bot-url URL (a running bot) or --bot-command "node index.js" (started for the run).');
  const botUrl = opts.botUrl ? checkedUrl(opts.botUrl) : undefined;
  const files = await loadFiles(args);

  // Logs go to stderr: stdout carries the report (JUnit XML may be piped).
  const debug = process.env.TEAMS_BOT_DEV_LOG_LEVEL === 'debug';
  const logger: Logger = consoleLogger(debug ? 'debug' : 'error', process.stderr, process.stderr);
  const junitToStdout = opts.reporter === 'junit' && !opts.output;
  const human = junitToStdout ? process.stderr : process.stdout;

  let bot: BotProcess | undefined;
  const interrupted = (signal: NodeJS.Signals, code: number) => () => {
    process.stderr.write(`${signal}: stopping the bot\n`);
    // The 'exit' handlers kill the bot's process group.
    process.exit(code);
  };
  const onInt = interrupted('SIGINT', 130);
  const onTerm = interrupted('SIGTERM', 143);
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    let url = botUrl?.href;
    if (opts.botCommand) {
      const port = botUrl ? portOf(botUrl) : await freePort();
      url ??= `http://127.0.0.1:${port}/api/messages`;
      bot = await BotProcess.start({ command: opts.botCommand, port, host: botUrl?.hostname.replace(/^\[|\]$/g, ''), logger });
    }
    const run = await runConversationTests({
      files,
      botUrl: url!,
      settleMs: opts.settleMs ?? DEFAULT_SETTLE_MS,
      update: opts.update,
      logger,
      onFile: (file) => human.write(`${fileReport(file)}\n`),
    });
    human.write(`\n${summaryLine(run)}\n`);
    await writeReport(run, opts);
    return run.failed > 0 ? EXIT_USER_ERROR : EXIT_OK;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await bot?.stop();
  }
}

async function loadFiles(args: string[]): Promise<ConversationFile[]> {
  if (args.length === 0 && !existsSync(DEFAULT_TEST_DIR)) {
    throw new UsageError(`no test files given and there is no ${DEFAULT_TEST_DIR} directory: name the *.conversation.json or *.transcript files to run.`);
  }
  const names = await findConversationFiles(args.length ? args : [DEFAULT_TEST_DIR]);
  if (names.length === 0) throw new UsageError(`no *.conversation.json or *.transcript files in ${args.join(', ') || DEFAULT_TEST_DIR}.`);
  const files: ConversationFile[] = [];
  for (const name of names) files.push(await readConversationFile(name));
  return files;
}

async function writeReport(run: RunResult, opts: TestOptions): Promise<void> {
  if (opts.reporter !== 'junit' && !opts.output) return;
  const report = opts.reporter === 'junit' ? junitReport(run) : `${run.files.map(fileReport).join('\n')}\n\n${summaryLine(run)}\n`;
  // All or nothing: a crash mid-write must not leave half a report where the last one was.
  if (opts.output) await writeFileAtomic(opts.output, report, { mode: 0o644 });
  else process.stdout.write(report);
}

function checkedUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--bot-url ${value} is not a URL: give the bot's messaging endpoint, e.g. http://127.0.0.1:3979/api/messages.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--bot-url ${value} must be an http:// or https:// URL.`);
  return url;
}

function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number of milliseconds.');
  return n;
}

