import * as net from 'node:net';
import type { Logger } from '../logger';
import { startProcess, type ProcessHandle } from '../process/processRunner';
import { formatSeconds } from '../process/processErrors';
import type { ToolInfo } from '../process/toolNotFound';

/**
 * The bot under test, started from `--bot-command` with PORT set, for the
 * length of a test run. The command is a shell command line written by the
 * developer ("node index.js", "npm start"), so it runs through the shell, as
 * its own process group: stopping it stops the grandchild that `npm start`
 * really runs, and a run that is interrupted (Ctrl+C, a CI timeout) kills
 * the group on its way out rather than leaving a bot holding the port.
 */

const BOT_TOOL: ToolInfo = {
  name: 'bot',
  displayName: 'The bot command (--bot-command)',
  installHint: 'check the command line and that its program is installed',
  settingName: '--bot-command',
};

export interface BotProcessOptions {
  command: string;
  port: number;
  /** Where the test waits for it to listen; 127.0.0.1 unless --bot-url names another host. */
  host?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** How long the bot may take to start listening. */
  readyTimeoutMs?: number;
}

const DEFAULT_READY_MS = 30_000;
const POLL_MS = 100;
const TAIL_LINES = 15;

export class BotProcess {
  private readonly tail: string[] = [];
  private exitHook = () => this.handle.kill('SIGKILL');

  private constructor(private readonly handle: ProcessHandle, readonly command: string) {
    handle.on('line', (l) => {
      this.tail.push(l.text);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
    });
    process.once('exit', this.exitHook);
  }

  /** Starts the command and resolves once it accepts connections on the port; rejects with what it printed if it exits or never listens. */
  static async start(opts: BotProcessOptions): Promise<BotProcess> {
    const shell = process.platform === 'win32'
      ? { executable: process.env.ComSpec ?? 'cmd.exe', args: ['/d', '/s', '/c', opts.command] }
      : { executable: '/bin/sh', args: ['-c', opts.command] };
    const handle = startProcess({
      tool: BOT_TOOL,
      executable: shell.executable,
      args: shell.args,
      cwd: opts.cwd,
      env: opts.env,
      extraEnv: { PORT: String(opts.port) },
      logger: opts.logger,
      outputLogLevel: 'debug',
      processGroup: true,
    });
    const bot = new BotProcess(handle, opts.command);
    try {
      await bot.waitUntilListening(opts.host ?? '127.0.0.1', opts.port, opts.readyTimeoutMs ?? DEFAULT_READY_MS);
    } catch (err) {
      await bot.stop();
      throw err;
    }
    return bot;
  }

  /** SIGTERM to the group, SIGKILL after the grace period; whatever is left of the group is killed too. */
  async stop(): Promise<void> {
    await this.handle.stop();
    this.handle.kill('SIGKILL');
    process.off('exit', this.exitHook);
  }

  private async waitUntilListening(host: string, port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let startError: Error | undefined;
    this.handle.exited.then((info) => (exited = info), (err: Error) => (startError = err));
    for (;;) {
      if (startError) throw startError;
      if (exited) {
        const how = exited.signal ? `signal ${exited.signal}` : `code ${exited.code}`;
        throw new Error(`The bot command \`${this.command}\` exited (${how}) before listening on port ${port}${this.printed()}`);
      }
      if (await canConnect(host, port)) return;
      if (Date.now() > deadline) {
        throw new Error(`The bot command \`${this.command}\` did not listen on ${host}:${port} within ${formatSeconds(timeoutMs)}: does the bot listen on the PORT environment variable?${this.printed()}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private printed(): string {
    return this.tail.length ? `. Its last output:\n  ${this.tail.join('\n  ')}` : ' (it printed nothing).';
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}
