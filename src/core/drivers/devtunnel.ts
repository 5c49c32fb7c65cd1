import { TypedEmitter } from '../typedEmitter';
import { formatSeconds, ProcessCancelledError } from '../process/processErrors';
import {
  runProcess,
  startProcess,
  type CallOptions,
  type DriverOptions,
  type ExitInfo,
  type OutputLine,
  type ProcessHandle,
  type ProcessResult,
} from '../process/processRunner';
import { redactText } from '../redact';
import { lastLine } from '../process/textLines';
import type { ToolInfo } from '../process/toolNotFound';
import {
  DevtunnelError,
  NotLoggedInError,
  RateLimitedError,
  TunnelExistsError,
  TunnelNotFoundError,
} from './devtunnelErrors';
import {
  classifyDevtunnelFailure,
  HostOutputParser,
  parsePortJson,
  parseTunnelJson,
  parseTunnelList,
  parseUserShow,
  type DevtunnelFailureKind,
  type DevtunnelUserStatus,
  type TunnelInfo,
  type TunnelPort,
} from './devtunnelOutput';

/**
 * Drives the `devtunnel` CLI: login state, the persistent tunnel Teams calls,
 * its port, and the long-running `devtunnel host` that carries the traffic.
 * The tunnel must allow anonymous connections because Teams cannot
 * authenticate to it; Set Up Bot creates it that way.
 */

export const DEVTUNNEL_TOOL: ToolInfo = {
  name: 'devtunnel',
  displayName: 'devtunnel',
  installHint:
    'install it with `curl -sL https://aka.ms/DevTunnelCliInstall | bash` (Linux/macOS) or `winget install Microsoft.devtunnel` (Windows)',
  settingName: 'teamsBot.devtunnelPath',
};

export type PortProtocol = 'auto' | 'http' | 'https';

/** `executable` is the teamsBot.devtunnelPath setting. */
export type DevtunnelOptions = DriverOptions;

export interface HostOptions {
  /** The local port whose public URL `url` resolves to; the first URL printed when omitted. */
  port?: number;
  /** How long to wait for the URL before giving up and stopping the host. */
  urlTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface PortCreateResult {
  port: TunnelPort;
  /** False when the port was already there (the call is then a no-op). */
  created: boolean;
}

export interface LoginCommand {
  command: string;
  args: string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_URL_TIMEOUT_MS = 60_000;
// Tunnel ids are lowercase letters, digits and hyphens, optionally with the ".cluster" the service appends.
const TUNNEL_ID = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?(?:\.[a-z0-9]+)?$/;

export class Devtunnel {
  private readonly executable: string;

  constructor(private readonly options: DevtunnelOptions = {}) {
    this.executable = options.executable?.trim() || DEVTUNNEL_TOOL.name;
  }

  /** Whether the CLI has a usable login, and as whom. Not being logged in is an answer, not an error. */
  async userShow(call: CallOptions = {}): Promise<DevtunnelUserStatus> {
    let result = await this.run(['user', 'show', '--json'], call);
    if (result.code !== 0 && /unrecognized command or argument '--json'/i.test(result.stderr + result.stdout)) {
      // CLIs older than --json support still answer in prose.
      result = await this.run(['user', 'show'], call);
    }
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.code !== 0) {
      const kind = classifyDevtunnelFailure(output);
      if (kind !== 'not-logged-in' && kind !== 'login-expired') throw this.failure('user show', result);
      return { ...parseUserShow(output), loggedIn: false, expired: kind === 'login-expired' };
    }
    return parseUserShow(output);
  }

  /** `devtunnel user login` opens a browser or prints a device code, so it runs in a terminal, not here. */
  loginCommand(opts: { provider?: 'microsoft' | 'github'; deviceCode?: boolean } = {}): LoginCommand {
    const args = ['user', 'login'];
    if (opts.provider === 'github') args.push('-g');
    if (opts.deviceCode) args.push('-d');
    return { command: this.executable, args };
  }

  /** Creates a persistent tunnel. Throws TunnelExistsError if the id is taken. */
  async create(id: string, opts: CallOptions & { allowAnonymous?: boolean } = {}): Promise<TunnelInfo> {
    assertTunnelId(id);
    const args = ['create', id];
    if (opts.allowAnonymous ?? true) args.push('--allow-anonymous');
    args.push('--json');
    const result = await this.run(args, opts);
    if (result.code !== 0) throw this.failure('create', result, id);
    return this.parse('create', result, parseTunnelJson);
  }

  /** Adds the local port to the tunnel; an existing port is left as it is. */
  async portCreate(id: string, port: number, protocol: PortProtocol = 'auto', call: CallOptions = {}): Promise<PortCreateResult> {
    assertTunnelId(id);
    assertPort(port);
    const result = await this.run(['port', 'create', id, '-p', String(port), '--protocol', protocol, '--json'], call);
    if (result.code !== 0) {
      const kind = classifyDevtunnelFailure(`${result.stdout}\n${result.stderr}`);
      if (kind === 'conflict') return { port: { portNumber: port, protocol }, created: false };
      throw this.failure('port create', result, id);
    }
    return { port: this.parse('port create', result, parsePortJson), created: true };
  }

  /** The tunnel, or undefined when it does not exist (for this account). */
  async show(id: string, call: CallOptions = {}): Promise<TunnelInfo | undefined> {
    assertTunnelId(id);
    const result = await this.run(['show', id, '--json'], call);
    if (result.code !== 0) {
      const error = this.failure('show', result, id);
      if (error instanceof TunnelNotFoundError) return undefined;
      throw error;
    }
    return this.parse('show', result, parseTunnelJson);
  }

  async list(call: CallOptions = {}): Promise<TunnelInfo[]> {
    const result = await this.run(['list', '--json'], call);
    if (result.code !== 0) throw this.failure('list', result);
    return this.parse('list', result, parseTunnelList);
  }

  /** Deletes the tunnel; false if it was already gone. */
  async delete(id: string, call: CallOptions = {}): Promise<boolean> {
    assertTunnelId(id);
    // --force skips the confirmation prompt, which would otherwise wait on a closed stdin.
    const result = await this.run(['delete', id, '--force'], call);
    if (result.code !== 0) {
      const error = this.failure('delete', result, id);
      if (error instanceof TunnelNotFoundError) return false;
      throw error;
    }
    return true;
  }

  /** Starts hosting the tunnel; the handle's `url` resolves once the public URL is printed. */
  host(id: string, opts: HostOptions = {}): DevtunnelHost {
    assertTunnelId(id);
    if (opts.port !== undefined) assertPort(opts.port);
    const handle = startProcess({
      tool: DEVTUNNEL_TOOL,
      executable: this.executable,
      args: ['host', id],
      env: this.options.env,
      logger: this.options.logger,
      outputLogLevel: 'info',
      killGraceMs: this.options.killGraceMs,
      signal: opts.signal,
    });
    return new DevtunnelHost(handle, id, opts);
  }

  private run(args: string[], call: CallOptions): Promise<ProcessResult> {
    return runProcess({
      tool: DEVTUNNEL_TOOL,
      executable: this.executable,
      args,
      env: this.options.env,
      logger: this.options.logger,
      killGraceMs: this.options.killGraceMs,
      timeoutMs: call.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: call.signal,
    });
  }

  private parse<T>(command: string, result: ProcessResult, parser: (output: string) => T): T {
    try {
      return parser(result.stdout);
    } catch {
      throw new DevtunnelError(
        `devtunnel ${command} printed output this extension cannot read: update the devtunnel CLI (\`devtunnel update\`) and try again.`,
        { detail: redactText(lastLine(result.stdout)), exitCode: result.code },
      );
    }
  }

  private failure(command: string, result: ProcessResult, id?: string): DevtunnelError {
    return failureFromOutput(command, `${result.stderr}\n${result.stdout}`, result.code, id);
  }
}

interface DevtunnelHostEvents {
  line: OutputLine;
  /** The public URL of a hosted port, each time one is printed. */
  url: { port: number | undefined; url: string };
  inspect: { port: number | undefined; url: string };
  /** The CLI says it accepts connections; payload is the tunnel id it printed. */
  ready: string;
  /** A failure the CLI reported while running (e.g. a rate-limited reconnect). */
  failure: DevtunnelError;
  exit: ExitInfo;
}

/** A running `devtunnel host`. */
export class DevtunnelHost extends TypedEmitter<DevtunnelHostEvents> {
  /** The public URL for the requested port; rejects if the host fails, exits or stays silent first. */
  readonly url: Promise<string>;
  readonly exited: Promise<ExitInfo>;
  publicUrl: string | undefined;
  inspectUrl: string | undefined;
  readyTunnelId: string | undefined;

  private readonly recent: string[] = [];
  private lastFailure: DevtunnelFailureKind | undefined;
  private stopRequested = false;

  constructor(
    private readonly handle: ProcessHandle,
    tunnelId: string,
    opts: HostOptions,
  ) {
    super();
    this.exited = handle.exited;
    const parser = new HostOutputParser();
    let resolveUrl!: (url: string) => void;
    let rejectUrl!: (err: Error) => void;
    let urlSettled = false;
    this.url = new Promise<string>((resolve, reject) => {
      resolveUrl = (u) => {
        urlSettled = true;
        resolve(u);
      };
      rejectUrl = (e) => {
        urlSettled = true;
        reject(e);
      };
    });
    // A caller that only listens to events must not see an unhandled rejection.
    this.url.catch(() => undefined);

    const urlTimeoutMs = opts.urlTimeoutMs ?? DEFAULT_URL_TIMEOUT_MS;
    const urlTimer = setTimeout(() => {
      if (urlSettled) return;
      rejectUrl(
        new DevtunnelError(
          `devtunnel host ${tunnelId} printed no public URL within ${formatSeconds(urlTimeoutMs)}: check the tunnel has port ${opts.port ?? '(any)'} (\`devtunnel show ${tunnelId}\`) and your network, then start the tunnel again.`,
          { detail: this.detail(), kind: this.lastFailure },
        ),
      );
      void this.stop();
    }, urlTimeoutMs);

    handle.on('line', (line) => {
      this.remember(line.text);
      this.emit('line', line);
      for (const event of parser.feed(line.text)) {
        switch (event.kind) {
          case 'url': {
            const matches = opts.port === undefined || event.port === opts.port;
            if (matches) this.publicUrl = event.url;
            this.emit('url', { port: event.port, url: event.url });
            if (matches && !urlSettled) {
              clearTimeout(urlTimer);
              resolveUrl(event.url);
            }
            break;
          }
          case 'inspect':
            if (opts.port === undefined || event.port === opts.port) this.inspectUrl = event.url;
            this.emit('inspect', { port: event.port, url: event.url });
            break;
          case 'ready':
            this.readyTunnelId = event.tunnelId;
            this.emit('ready', event.tunnelId);
            break;
          case 'failure':
            this.lastFailure = event.failure;
            this.emit('failure', failureFromOutput('host', event.line, null, tunnelId));
            break;
          case 'port':
            break;
        }
      }
    });

    handle.exited.then(
      (exit) => {
        clearTimeout(urlTimer);
        this.emit('exit', exit);
        if (urlSettled) return;
        if (this.stopRequested) {
          rejectUrl(new ProcessCancelledError(`devtunnel host ${tunnelId}`));
          return;
        }
        const error = failureFromOutput('host', this.recent.join('\n'), exit.code, tunnelId);
        rejectUrl(
          error.kind === 'unknown'
            ? new DevtunnelError(
                `devtunnel host ${tunnelId} stopped (exit code ${exit.code ?? exit.signal}) before printing a public URL: run \`devtunnel host ${tunnelId}\` in a terminal to see why.`,
                { detail: this.detail(), exitCode: exit.code },
              )
            : error,
        );
      },
      (err: Error) => {
        clearTimeout(urlTimer);
        if (!urlSettled) rejectUrl(err);
      },
    );
  }

  get running(): boolean {
    return this.handle.running;
  }

  get pid(): number | undefined {
    return this.handle.pid;
  }

  /** Ends hosting (SIGTERM, then SIGKILL); the public URL stops answering. */
  stop(): Promise<ExitInfo> {
    this.stopRequested = true;
    return this.handle.stop();
  }

  private remember(text: string): void {
    if (text.trim().length === 0) return;
    this.recent.push(text);
    if (this.recent.length > 20) this.recent.shift();
  }

  private detail(): string {
    return redactText(this.recent.slice(-3).join(' | '));
  }
}

function failureFromOutput(command: string, output: string, exitCode: number | null, id?: string): DevtunnelError {
  const kind = classifyDevtunnelFailure(output);
  const detail = redactText(lastLine(output));
  switch (kind) {
    case 'not-logged-in':
      return new NotLoggedInError({ detail, exitCode });
    case 'login-expired':
      return new NotLoggedInError({ expired: true, detail, exitCode });
    case 'rate-limited':
      return new RateLimitedError({ detail, exitCode });
    case 'conflict':
      if (id !== undefined && command === 'create') return new TunnelExistsError(id, { detail, exitCode });
      break;
    case 'not-found':
      if (id !== undefined) return new TunnelNotFoundError(id, { detail, exitCode });
      break;
    case 'unknown':
      break;
  }
  const said = detail ? `: ${detail.replace(/[.\s]+$/, '')}` : '';
  return new DevtunnelError(
    `devtunnel ${command} failed (exit code ${exitCode ?? 'none'})${said}; run \`devtunnel ${command}${id ? ` ${id}` : ''}\` in a terminal for details.`,
    { kind, detail, exitCode },
  );
}

function assertTunnelId(id: string): void {
  if (!TUNNEL_ID.test(id)) {
    throw new DevtunnelError(
      `"${id}" is not a valid dev tunnel id: use lowercase letters, digits and hyphens (at most 60), not starting or ending with a hyphen.`,
    );
  }
}

function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DevtunnelError(`${port} is not a valid port: use a number from 1 to 65535.`);
  }
}
