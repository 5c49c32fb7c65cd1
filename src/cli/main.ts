import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { consoleLogger } from './consoleLogger';
import { exitWhenDrained, toleratePipeClose } from './processOutput';
import { UserError, UsageError, EXIT_USAGE, EXIT_USER_ERROR } from './cliError';
import { serve } from './commands/serve';
import { pairingList, pairingApprove, pairingReject, pairingApproved, pairingRevoke, pairingPromote } from './commands/pairing';
import { activities } from './commands/activities';
import { conversations, send } from './commands/conversations';
import { check } from './commands/check';
import { configValidate, configInit } from './commands/config';
import { credentialsCheck } from './commands/credentials';
import { registerTestCommand } from './commands/test';
import type { CommonOptions } from './options';
import { isHttpUrl } from '../core/config/httpUrl';

/**
 * teams-bot-dev: the gateway without VS Code. Every command takes --config
 * and --state-dir; exit 0 on success, 1 for a user error (one sentence),
 * 2 for a usage error.
 */
export function buildProgram(exit: (code: number) => void): Command {
  const logger = consoleLogger(process.env.TEAMS_BOT_DEV_LOG_LEVEL === 'debug' ? 'debug' : 'info');
  const program = new Command('teams-bot-dev')
    .description('A local Teams bot webhook that never drops a message silently.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const common = (cmd: Command) =>
    cmd
      .option('--config <file>', 'config file (default: ./teams-bot.config.json)')
      .option('--state-dir <dir>', 'where pairing requests and the activity log live (default: ./.teams-bot)')
      .exitOverride();

  const run = (fn: () => Promise<number>) => fn().then(exit, (err: unknown) => fail(err, exit));

  common(program.command('serve'))
    .description('run the webhook in the foreground and log every activity with its fate and reason')
    .addOption(new Option('--port <n>', 'listen on this port (overrides webhook.port)').argParser(port))
    .option('--host <address>', 'bind this interface (overrides webhook.host)')
    .addOption(new Option('--bot-url <url>', 'forward accepted activities to this bot endpoint (overrides bot.url)').argParser(httpUrl))
    .option('--echo', 'answer with the built-in echo bot (overrides bot.url)')
    .action((opts: CommonOptions & { port?: number; host?: string; botUrl?: string; echo?: boolean }) => run(() => serve(opts, logger)));

  const pairing = program.command('pairing').description('list, approve and reject pairing requests; list, revoke and promote approved senders').exitOverride();
  common(pairing.command('list'))
    .description('list pending pairing requests')
    .option('--json', 'print JSON')
    .action((opts: CommonOptions & { json?: boolean }) => run(() => pairingList(opts, logger, process.stdout)));
  common(pairing.command('approve').argument('<code>', 'the pairing code the sender received'))
    .description('approve a code: let the sender into personal chats (state-dir allowFrom.json) and tell them')
    .action((code: string, opts: CommonOptions) => run(() => pairingApprove(code, opts, logger, process.stdout)));
  common(pairing.command('reject').argument('<code>', 'the pairing code'))
    .description('reject a code: remove the request')
    .action((code: string, opts: CommonOptions) => run(() => pairingReject(code, opts, logger, process.stdout)));
  common(pairing.command('approved'))
    .description('list approved senders: pairing approvals (personal chats only) and the config\'s allowFrom')
    .option('--json', 'print JSON')
    .action((opts: CommonOptions & { json?: boolean }) => run(() => pairingApproved(opts, logger, process.stdout)));
  common(pairing.command('revoke').argument('<id>', 'the approved sender: AAD object id or Teams user id'))
    .description('revoke a pairing approval: their next personal message starts a new pairing')
    .action((id: string, opts: CommonOptions) => run(() => pairingRevoke(id, opts, logger, process.stdout)));
  common(pairing.command('promote').argument('<id>', 'the approved sender: AAD object id or Teams user id'))
    .description('move a pairing approval into the config\'s allowFrom (which also covers group chats and channels when groupAllowFrom is unset)')
    .action((id: string, opts: CommonOptions) => run(() => pairingPromote(id, opts, logger, process.stdout)));

  common(program.command('activities'))
    .description('show recorded activities, newest first')
    .option('--dropped', 'only what was not delivered (dropped, rejected, failed)')
    .option('--probes', 'include the Delivery Check\'s probes (hidden otherwise)')
    .option('--json', 'print JSON')
    .addOption(new Option('--limit <n>', 'how many (default 20; all with --transcript)').argParser(positive))
    .option('--transcript <file>', 'write them as a Bot Framework .transcript file instead')
    .action((opts: CommonOptions & { dropped?: boolean; probes?: boolean; json?: boolean; limit?: number; transcript?: string }) => run(() => activities(opts, process.stdout)));

  common(program.command('check'))
    .description('run the Delivery Check: config, webhook, tunnel, public URL, Teams app endpoint, credentials, bot, last activity; exit 1 when a hop fails')
    .option('--json', 'print the report as JSON')
    .action((opts: CommonOptions & { json?: boolean }) => run(() => check(opts, process.stdout)));

  common(program.command('conversations'))
    .description('list the conversations the gateway has stored (personal chats, group chats, channels), most recently active first')
    .option('--json', 'print JSON')
    .action((opts: CommonOptions & { json?: boolean }) => run(() => conversations(opts, process.stdout)));
  common(program.command('send').argument('<conversation-id>', 'a stored conversation (see `conversations`)').argument('<text>', 'the message'))
    .description('send a proactive message as the bot into a stored conversation, with the config\'s credentials; exit 1 with the explained reason when it fails')
    .action((conversationId: string, text: string, opts: CommonOptions) => run(() => send(conversationId, text, opts, logger, process.stdout)));

  const credentials = program.command('credentials').description('check the bot\'s credentials').exitOverride();
  common(credentials.command('check'))
    .description('get a Bot Framework token from Entra ID with the configured identity (app password from MSTEAMS_APP_PASSWORD); exit 1 with the explained reason and the fix when it fails, 0 when there is nothing to check (local mode)')
    .option('--json', 'print the result as JSON')
    .action((opts: CommonOptions & { json?: boolean }) => run(() => credentialsCheck(opts, process.stdout)));

  const config = program.command('config').description('check or create the config file').exitOverride();
  common(config.command('validate'))
    .description('validate the config file; exit 1 with every error and its line:col')
    .action((opts: CommonOptions) => run(() => configValidate(opts, process.stdout)));
  common(config.command('init'))
    .description('write a commented starter config file')
    .option('--force', 'replace an existing file')
    .action((opts: CommonOptions & { force?: boolean }) => run(() => configInit(opts, process.stdout)));

  registerTestCommand(program, run);

  return program;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535.');
  return n;
}

function httpUrl(value: string): string {
  if (!isHttpUrl(value)) throw new InvalidArgumentError('must be an http:// or https:// URL, e.g. http://127.0.0.1:3979/api/messages.');
  return value;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1.');
  return n;
}

function fail(err: unknown, exit: (code: number) => void): void {
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    exit(EXIT_USAGE);
    return;
  }
  if (err instanceof UserError) {
    process.stderr.write(`error: ${err.message}\n`);
    exit(EXIT_USER_ERROR);
    return;
  }
  process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
  exit(EXIT_USER_ERROR);
}

export function main(argv: string[]): void {
  toleratePipeClose();
  // Leave once stdout has drained, even if a watcher or socket is still open.
  const exit = (code: number) => exitWhenDrained(code);
  const program = buildProgram(exit);
  try {
    program.parse(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      exit(ok ? 0 : EXIT_USAGE);
      return;
    }
    fail(err, exit);
  }
}

if (require.main === module) main(process.argv);
