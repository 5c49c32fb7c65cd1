import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger, LogLevel } from '../logger';
import { TypedEmitter } from '../typedEmitter';
import { stripAnsi } from './ansi';
import { LineBuffer } from './lineBuffer';
import { ProcessCancelledError, ProcessStartError, ProcessTimeoutError } from './processErrors';
import { composeRedactors, redactText, type Redactor } from '../redact';
import { ToolNotFoundError, type ToolInfo } from './toolNotFound';

/**
 * The only way the core starts external programs. Arguments are always an
 * array handed straight to the OS (no shell, so nothing in a tunnel id or an
 * app name is ever interpreted), output is streamed to the Logger line by line
 * through a redactor, and every run can be bounded by a timeout or an
 * AbortSignal.
 */

export type OutputStream = 'stdout' | 'stderr';

export interface OutputLine {
  stream: OutputStream;
  /** The line without its terminator and without ANSI escapes; not redacted. */
  text: string;
}

export interface ExitInfo {
  /** null when the process was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessSpec {
  tool: ToolInfo;
  /** A name looked up on the PATH of `env`, or a path (the user's setting). */
  executable: string;
  /** Arguments placed before `args`, e.g. the script when the executable is node. */
  executableArgs?: readonly string[];
  args: readonly string[];
  /** The complete environment; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Variables layered over `env`. */
  extraEnv?: Record<string, string>;
  cwd?: string;
  logger?: Logger;
  /** Applied after the built-in secret redaction, to log lines and quoted output. */
  redact?: Redactor;
  /** Level for the tool's output lines in the log; the command line itself is always debug. */
  outputLogLevel?: LogLevel;
  /** SIGTERM first, then SIGKILL after this long. */
  killGraceMs?: number;
  /**
   * Start it as the leader of a new process group (POSIX) and signal the whole
   * group when stopping: for a user's command such as `npm start`, whose real
   * server is a grandchild that would outlive its parent.
   */
  processGroup?: boolean;
}

export interface StartOptions extends ProcessSpec {
  /** Keep stdout/stderr in memory for the caller (bounded). */
  capture?: boolean;
  /** Aborting stops the process (SIGTERM, then SIGKILL). */
  signal?: AbortSignal;
}

export interface RunOptions extends ProcessSpec {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Per-call bounds every driver method accepts. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What every CLI driver is constructed with. */
export interface DriverOptions {
  /** The user's path setting; the tool's name (looked up on PATH) when empty. */
  executable?: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Default bound on each command; long-running processes are not bounded. */
  timeoutMs?: number;
  killGraceMs?: number;
}

export interface ProcessResult extends ExitInfo {
  stdout: string;
  stderr: string;
  durationMs: number;
}

interface ProcessEvents {
  line: OutputLine;
  exit: ExitInfo;
}

const DEFAULT_KILL_GRACE_MS = 3000;
// Enough for any JSON a CLI prints; a runaway process must not exhaust memory.
const MAX_CAPTURE_CHARS = 8 * 1024 * 1024;
// If a grandchild keeps the pipes open after the child exits, stop waiting for them.
const STDIO_DRAIN_MS = 2000;

/** A running process: line events as they arrive, `exited` when it ends, `stop()` to end it. */
export class ProcessHandle extends TypedEmitter<ProcessEvents> {
  readonly command: string;
  /** Resolves when the process has exited and its output has been read; rejects if it never started. */
  readonly exited: Promise<ExitInfo>;

  private readonly child: ChildProcess | undefined;
  private readonly redactor: Redactor;
  private readonly killGraceMs: number;
  private readonly capture: boolean;
  private stdoutText = '';
  private stderrText = '';
  private exitInfo: ExitInfo | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly buffers: Partial<Record<OutputStream, LineBuffer>> = {};

  constructor(private readonly options: StartOptions) {
    super();
    this.command = [options.tool.name, ...options.args].join(' ');
    this.redactor = composeRedactors(redactText, options.redact);
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.capture = options.capture ?? false;

    const logger = options.logger;
    logger?.debug(`$ ${this.redactor([options.executable, ...(options.executableArgs ?? []), ...options.args].join(' '))}`);

    let child: ChildProcess | undefined;
    let startError: Error | undefined;
    try {
      child = spawn(options.executable, [...(options.executableArgs ?? []), ...options.args], {
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), ...options.extraEnv },
        shell: false,
        windowsHide: true,
        // stdin is closed so a CLI that would prompt sees no TTY and fails fast instead of hanging.
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: this.usesGroup(),
      });
    } catch (err) {
      // spawn throws synchronously for some argument errors (e.g. EINVAL for .cmd files on Windows).
      startError = this.mapSpawnError(err);
    }
    this.child = child;

    this.exited = new Promise<ExitInfo>((resolve, reject) => {
      if (!child) {
        reject(startError);
        return;
      }
      let settled = false;
      let drainTimer: NodeJS.Timeout | undefined;
      const finish = (info: ExitInfo) => {
        if (settled) return;
        settled = true;
        if (drainTimer) clearTimeout(drainTimer);
        this.flushLines();
        this.clearKillTimer();
        this.exitInfo = info;
        logger?.debug(`${options.tool.name} exited with ${info.signal ? `signal ${info.signal}` : `code ${info.code}`}`);
        this.emit('exit', info);
        resolve(info);
      };
      child.once('error', (err) => {
        if (settled) return;
        // 'error' after a successful spawn means a failed kill or pipe error; the exit event still follows.
        if (child.pid !== undefined && (err as NodeJS.ErrnoException).code !== 'ENOENT') {
          logger?.warn(`${options.tool.name}: ${this.redactor(err.message)}`);
          return;
        }
        settled = true;
        this.clearKillTimer();
        reject(this.mapSpawnError(err));
      });
      child.once('exit', (code, signal) => {
        drainTimer = setTimeout(() => finish({ code, signal }), STDIO_DRAIN_MS);
      });
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => finish({ code, signal }));
    });
    // Long-running callers may only listen to events; a failed start must not become an unhandled rejection.
    this.exited.catch(() => undefined);

    if (child) {
      this.pipe(child, 'stdout');
      this.pipe(child, 'stderr');
    }

    const signal = options.signal;
    if (signal) {
      const onAbort = () => void this.stop();
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.exited.then(
          () => signal.removeEventListener('abort', onAbort),
          () => signal.removeEventListener('abort', onAbort),
        );
      }
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.pid !== undefined && this.exitInfo === undefined;
  }

  /** Captured output (only with `capture: true`); raw, not redacted. */
  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The redaction this handle applies to log lines, for callers that quote output in messages. */
  redact(text: string): string {
    return this.redactor(text);
  }

  /** Asks the process to end (SIGTERM), forces it (SIGKILL) after the grace period; never rejects. */
  stop(): Promise<ExitInfo> {
    const child = this.child;
    if (child && this.running && !this.killTimer) {
      this.kill('SIGTERM');
      this.killTimer = setTimeout(() => {
        if (this.running) {
          this.options.logger?.warn(`${this.options.tool.name} did not stop after SIGTERM; sending SIGKILL.`);
          this.kill('SIGKILL');
        }
      }, this.killGraceMs);
    }
    return this.exited.catch((): ExitInfo => ({ code: null, signal: null }));
  }

  /** Signals the process (its whole group with processGroup) at once; for process exit handlers, which cannot wait. */
  kill(signal: NodeJS.Signals): void {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    if (this.usesGroup()) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* the group is gone already */
      }
      return;
    }
    if (this.running) child.kill(signal);
  }

  private usesGroup(): boolean {
    return this.options.processGroup === true && process.platform !== 'win32';
  }

  private pipe(child: ChildProcess, stream: OutputStream): void {
    const source = child[stream];
    if (!source) return;
    const buffer = new LineBuffer();
    this.buffers[stream] = buffer;
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      if (this.capture) this.append(stream, chunk);
      for (const line of buffer.push(chunk)) this.onLine(stream, line);
    });
  }

  private flushLines(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      for (const line of this.buffers[stream]?.flush() ?? []) this.onLine(stream, line);
    }
  }

  private append(stream: OutputStream, chunk: string): void {
    if (stream === 'stdout') {
      if (this.stdoutText.length < MAX_CAPTURE_CHARS) this.stdoutText += chunk;
    } else if (this.stderrText.length < MAX_CAPTURE_CHARS) {
      this.stderrText += chunk;
    }
  }

  private onLine(stream: OutputStream, raw: string): void {
    const text = stripAnsi(raw);
    if (text.trim().length > 0) {
      const level = this.options.outputLogLevel ?? 'debug';
      const prefix = stream === 'stderr' ? `${this.options.tool.name} (stderr)` : this.options.tool.name;
      this.options.logger?.[level](`${prefix}: ${this.redactor(text)}`);
    }
    this.emit('line', { stream, text });
  }

  private clearKillTimer(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
  }

  private mapSpawnError(err: unknown): Error {
    const errno = err as NodeJS.ErrnoException;
    if (errno?.code === 'ENOENT') return new ToolNotFoundError(this.options.tool, this.options.executable);
    const detail = errno instanceof Error ? errno.message : String(err);
    return new ProcessStartError(this.options.executable, errno?.code, this.redactor(detail).replace(/\.$/, ''));
  }
}

/** Starts a process that lives until it exits or is stopped (e.g. `devtunnel host`). */
export function startProcess(options: StartOptions): ProcessHandle {
  return new ProcessHandle(options);
}

/**
 * Runs a process to completion and returns its output and exit status.
 * Throws ToolNotFoundError / ProcessStartError if it cannot start,
 * ProcessTimeoutError or ProcessCancelledError if it had to be stopped.
 */
export async function runProcess(options: RunOptions): Promise<ProcessResult> {
  const command = [options.tool.name, ...options.args].join(' ');
  if (options.signal?.aborted) throw new ProcessCancelledError(command);

  const started = Date.now();
  const handle = startProcess({ ...options, signal: undefined, capture: true });
  let stoppedBy: 'timeout' | 'abort' | undefined;

  const onAbort = () => {
    stoppedBy ??= 'abort';
    void handle.stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    options.timeoutMs !== undefined && options.timeoutMs > 0
      ? setTimeout(() => {
          stoppedBy ??= 'timeout';
          options.logger?.warn(`${command} timed out after ${options.timeoutMs} ms; stopping it.`);
          void handle.stop();
        }, options.timeoutMs)
      : undefined;

  let exit: ExitInfo;
  try {
    exit = await handle.exited;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }

  if (stoppedBy === 'timeout') throw new ProcessTimeoutError(command, options.timeoutMs ?? 0);
  if (stoppedBy === 'abort') throw new ProcessCancelledError(command);
  return { ...exit, stdout: handle.stdout, stderr: handle.stderr, durationMs: Date.now() - started };
}
