import { runProcess, type CallOptions, type DriverOptions, type ProcessResult } from '../process/processRunner';
import { redactText } from '../redact';
import { lastLine } from '../process/textLines';
import type { ToolInfo } from '../process/toolNotFound';
import { TeamsCliError } from './teamsCliErrors';
import {
  parseAppCreate,
  parseAppGet,
  parseAppUpdate,
  parseCommandHelp,
  parseDoctor,
  parseErrorEnvelope,
  parseStatus,
  type AppCreateOutput,
  type AppUpdateResult,
  type CommandHelp,
  type DoctorReport,
  type TeamsAppDetails,
  type TeamsStatus,
} from './teamsCliOutput';

/**
 * Drives the Teams CLI (`teams`, npm @microsoft/teams.cli): login state, app
 * and bot registration, the bot's messaging endpoint, install links and the
 * app doctor. Every call asks for --json and sets TEAMS_NO_INTERACTIVE so the
 * CLI never waits on a prompt; `teams login` is the one interactive command and
 * is handed to a terminal instead (loginCommand).
 */

export const TEAMS_TOOL: ToolInfo = {
  name: 'teams',
  displayName: 'The Teams CLI (teams)',
  missingPhrase: 'is not installed',
  installHint: 'run `npm install -g @microsoft/teams.cli`',
  settingName: 'teamsBot.teamsCliPath',
};

/** `executable` is the teamsBot.teamsCliPath setting. */
export interface TeamsCliOptions extends DriverOptions {
  /** Placed before the command, e.g. the CLI's script when `executable` is node. */
  executableArgs?: string[];
}

export interface AppCreateInput {
  name: string;
  /** The bot messaging endpoint, e.g. https://mybot-3978.euw.devtunnels.ms/api/messages. */
  endpoint?: string;
  /** Have the CLI write the credentials to this .env / appsettings.json instead of returning them. */
  credentialsFile?: string;
  /** For managed identity or federated credentials: no client secret is generated. */
  noSecret?: boolean;
}

export interface TerminalCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 120_000;
// app create polls Graph for up to 30 s before it can add the secret, on top of several service calls.
const APP_CREATE_TIMEOUT_MS = 300_000;
const NON_INTERACTIVE_ENV: Record<string, string> = { TEAMS_NO_INTERACTIVE: '1', NO_COLOR: '1' };

export class TeamsCli {
  private readonly executable: string;
  private readonly executableArgs: string[];

  constructor(private readonly options: TeamsCliOptions = {}) {
    this.executable = options.executable?.trim() || TEAMS_TOOL.name;
    this.executableArgs = options.executableArgs ?? [];
  }

  /** Who is logged in. Logged out is `loggedIn: false` (the CLI exits 0 then), not an error. */
  async status(call: CallOptions = {}): Promise<TeamsStatus> {
    return this.json(['status', '--json'], call, parseStatus);
  }

  /**
   * Creates the Entra app, the Teams app and the bot registration. The client
   * secret comes back in `clientSecret`, never in `app`, and is redacted from
   * the log stream.
   */
  async appCreate(input: AppCreateInput, call: CallOptions = {}): Promise<AppCreateOutput> {
    const args = ['app', 'create', '-n', input.name];
    if (input.endpoint) args.push('-e', input.endpoint);
    if (input.credentialsFile) args.push('--env', input.credentialsFile);
    if (input.noSecret) args.push('--no-secret');
    args.push('--json');
    return this.json(args, { ...call, timeoutMs: call.timeoutMs ?? APP_CREATE_TIMEOUT_MS }, parseAppCreate);
  }

  /** Points the bot at a new messaging endpoint (and adds its domain to validDomains). */
  async appUpdate(appId: string, update: { endpoint: string }, call: CallOptions = {}): Promise<AppUpdateResult> {
    return this.json(['app', 'update', assertArg(appId, 'app id'), '--endpoint', update.endpoint, '--json'], call, parseAppUpdate);
  }

  async appGet(appId: string, call: CallOptions = {}): Promise<TeamsAppDetails> {
    return this.json(['app', 'get', assertArg(appId, 'app id'), '--json'], call, parseAppGet);
  }

  /**
   * The link that installs the app in Teams. Asked for with --json (which the
   * CLI answers with the whole app, link included) so failures come back as
   * the structured error envelope rather than prose.
   */
  async installLink(appId: string, call: CallOptions = {}): Promise<string> {
    return (await this.appGet(appId, call)).installLink;
  }

  async doctor(appId: string, call: CallOptions = {}): Promise<DoctorReport> {
    return this.json(['app', 'doctor', assertArg(appId, 'app id'), '--json'], call, parseDoctor);
  }

  /** The CLI's own description of a command and its flags (`teams … --help --json`). */
  async help(commandPath: readonly string[] = [], call: CallOptions = {}): Promise<CommandHelp> {
    return this.json([...commandPath.map((c) => assertArg(c, 'command')), '--help', '--json'], call, parseCommandHelp);
  }

  async version(call: CallOptions = {}): Promise<string> {
    const result = await this.run(['--version'], call);
    const version = /\d+\.\d+\.\d+\S*/.exec(result.stdout)?.[0];
    if (result.code !== 0 || !version) throw this.cliFailure(result);
    return version;
  }

  /** `teams login` needs a browser or a device code, so it is run in a terminal the user can see. */
  loginCommand(opts: { deviceCode?: boolean } = {}): TerminalCommand {
    const args = [...this.executableArgs, 'login'];
    if (opts.deviceCode) args.push('--device-code');
    return { command: this.executable, args, env: {} };
  }

  private async json<T>(args: string[], call: CallOptions, parse: (stdout: string) => T): Promise<T> {
    const result = await this.run(args, call);
    // The CLI exits 1 with the envelope on stdout; read it before looking at the exit code.
    const envelope = parseErrorEnvelope(result.stdout);
    if (envelope) throw new TeamsCliError(envelope, result.code);
    if (result.code !== 0) throw this.cliFailure(result);
    try {
      return parse(result.stdout);
    } catch (err) {
      throw new TeamsCliError(
        {
          code: 'UNREADABLE_OUTPUT',
          message: `teams ${args[0]} printed output this extension cannot read (${(err as Error).message})`,
          suggestion: 'Update the Teams CLI with `npm install -g @microsoft/teams.cli` and try again.',
        },
        result.code,
      );
    }
  }

  private run(args: string[], call: CallOptions): Promise<ProcessResult> {
    return runProcess({
      tool: TEAMS_TOOL,
      executable: this.executable,
      executableArgs: this.executableArgs,
      args,
      env: this.options.env,
      extraEnv: NON_INTERACTIVE_ENV,
      logger: this.options.logger,
      killGraceMs: this.options.killGraceMs,
      timeoutMs: call.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: call.signal,
    });
  }

  private cliFailure(result: ProcessResult): TeamsCliError {
    const said = lastLine(result.stderr) || lastLine(result.stdout);
    return new TeamsCliError(
      {
        code: 'CLI_FAILED',
        message: `The Teams CLI failed (exit code ${result.code ?? result.signal})${said ? `: ${redactText(said)}` : ''}`,
        suggestion: 'Run the same `teams` command in a terminal to see the full output.',
      },
      result.code,
    );
  }
}

// A value starting with "-" would be read as an option by the CLI's parser.
function assertArg(value: string, what: string): string {
  if (value.length === 0 || value.startsWith('-')) {
    throw new TeamsCliError({ code: 'INVALID_ARGUMENT', message: `"${value}" is not a valid ${what}` }, null);
  }
  return value;
}
