import { runProcess, type CallOptions, type DriverOptions, type ProcessResult } from '../process/processRunner';
import { redactText } from '../redact';
import { firstLine, lastLine } from '../process/textLines';
import type { ToolInfo } from '../process/toolNotFound';
import { OpenClawError } from './openclawErrors';
import {
  MIN_OPENCLAW_VERSION,
  compareVersions,
  failureReason,
  nodeRefusal,
  parseApproveText,
  parseGatewayCall,
  parseGatewayRequests,
  parsePairingList,
  parseValidate,
  parseVersion,
  type CliApproveResult,
  type GatewayPairingRequest,
  type OpenClawPairingRequest,
  type ValidationResult,
} from './openclawOutput';

/**
 * Drives the OpenClaw CLI (npm `openclaw`) for its Microsoft Teams channel:
 * pending pairing requests, approval (through the running gateway when it is
 * up, since only the gateway can tell the sender), and config validation.
 *
 * Every call is a separate Node process that takes 2–20 s, so callers must
 * never await one on a UI path, and must not poll: see OpenClawPairings.
 * The channel is always spelled `msteams`: the CLI accepts any name and
 * `teams` is a different (empty) channel to it.
 */

export const OPENCLAW_TOOL: ToolInfo = {
  name: 'openclaw',
  displayName: 'The OpenClaw CLI (openclaw)',
  missingPhrase: 'is not installed or not on PATH',
  installHint: 'install it with `npm install -g openclaw` (it needs Node 24.16 or newer)',
  settingName: 'teamsBot.openclaw.cliPath',
};

export const MSTEAMS = 'msteams';

export interface OpenClawCliOptions extends DriverOptions {
  /** Placed before the command, e.g. openclaw.mjs when `executable` is a Node binary. */
  executableArgs?: string[];
  /** OPENCLAW_STATE_DIR for every call (the teamsBot.openclaw.stateDir setting); unset: OpenClaw's own rules. */
  stateDir?: string;
}

export interface GatewayApproveResult {
  senderId: string;
  /** "sent": the sender got OpenClaw's approval message in Teams; "failed" / "unsupported": they did not. */
  notification: 'sent' | 'failed' | 'unsupported' | 'not-requested';
}

// Generous: calls measured 2–21 s on a loaded machine with the msteams plugin installed.
const DEFAULT_TIMEOUT_MS = 90_000;
// The gateway RPC's own timeout; our process bound sits above it.
const GATEWAY_RPC_TIMEOUT_MS = 10_000;
const GATEWAY_DOWN_TYPES = new Set(['gateway_transport_error', 'gateway_credentials_required', 'gateway_auth_error']);

export class OpenClawCli {
  private readonly executable: string;
  private readonly executableArgs: string[];
  private checkedVersion: Promise<string> | undefined;

  constructor(private readonly options: OpenClawCliOptions = {}) {
    this.executable = options.executable?.trim() || OPENCLAW_TOOL.name;
    this.executableArgs = options.executableArgs ?? [];
  }

  /** The CLI's version; TOO_OLD below MIN_OPENCLAW_VERSION, NODE_UNSUPPORTED on a Node it refuses. */
  async version(call: CallOptions = {}): Promise<string> {
    const result = await this.run(['--version'], call);
    this.throwIfRefused(result);
    let version: string;
    try {
      version = parseVersion(result.stdout);
    } catch (err) {
      throw this.unreadable('--version', result, err);
    }
    if (result.code !== 0) throw this.failure('--version', result);
    if (compareVersions(version, MIN_OPENCLAW_VERSION) < 0) {
      throw new OpenClawError(
        'TOO_OLD',
        `OpenClaw ${version} is too old: this extension needs ${MIN_OPENCLAW_VERSION} or newer (its pairing requests live in SQLite). Update it with \`npm install -g openclaw@latest\`.`,
        undefined,
        result.code,
      );
    }
    return version;
  }

  /** Checked once per driver: every other call goes through it, so a too-old CLI is reported before anything else. */
  ensureUsable(call: CallOptions = {}): Promise<string> {
    this.checkedVersion ??= this.version(call);
    this.checkedVersion.catch(() => (this.checkedVersion = undefined));
    return this.checkedVersion;
  }

  /** Pending msteams requests of one account. OpenClaw deletes expired ones as it lists. */
  async listPending(accountId: string, call: CallOptions = {}): Promise<OpenClawPairingRequest[]> {
    await this.ensureUsable(call);
    const args = ['pairing', 'list', MSTEAMS, '--account', accountId, '--json'];
    const result = await this.run(args, call);
    this.throwIfFailed('pairing list', result);
    try {
      return parsePairingList(result.stdout, MSTEAMS);
    } catch (err) {
      throw this.unreadable('pairing list', result, err);
    }
  }

  /**
   * `pairing approve msteams CODE`: allows the sender but cannot tell them
   * (its --notify never reaches Teams). The first approval also rewrites
   * openclaw.json as plain JSON (ownerBootstrapped).
   */
  async approveWithCli(code: string, accountId: string, call: CallOptions = {}): Promise<CliApproveResult> {
    await this.ensureUsable(call);
    const result = await this.run(['pairing', 'approve', MSTEAMS, assertCode(code), '--account', accountId], call);
    this.throwIfFailed('pairing approve', result);
    try {
      return parseApproveText(result.stdout, MSTEAMS);
    } catch (err) {
      throw this.unreadable('pairing approve', result, err);
    }
  }

  /** The running gateway's view of the pending requests; GATEWAY_UNAVAILABLE when it is not up. */
  async gatewayRequests(accountId: string, call: CallOptions = {}): Promise<GatewayPairingRequest[]> {
    const result = await this.gatewayCall('channels.pairing.list', { channel: MSTEAMS, accountId }, call);
    try {
      return parseGatewayRequests(result.result);
    } catch (err) {
      throw this.unreadable('gateway call channels.pairing.list', result.process, err);
    }
  }

  /** Approves through the gateway with notify: the only path on which the sender is told (in Teams). */
  async approveThroughGateway(request: GatewayPairingRequest, call: CallOptions = {}): Promise<GatewayApproveResult> {
    const { result } = await this.gatewayCall(
      'channels.pairing.approve',
      { channel: MSTEAMS, accountId: request.accountId, requestId: request.requestId, notify: true },
      call,
    );
    const notification = result.notification;
    return {
      senderId: typeof result.senderId === 'string' ? result.senderId : request.senderId,
      notification: notification === 'sent' || notification === 'unsupported' || notification === 'not-requested' ? notification : 'failed',
    };
  }

  /** Removes a pending request; OpenClaw has no CLI command for it, only this gateway method. */
  async dismissThroughGateway(request: GatewayPairingRequest, call: CallOptions = {}): Promise<void> {
    await this.gatewayCall('channels.pairing.dismiss', { channel: MSTEAMS, accountId: request.accountId, requestId: request.requestId }, call);
  }

  /** `config validate --json`: OpenClaw's own verdict on openclaw.json, issues by dotted path. */
  async validateConfig(call: CallOptions = {}): Promise<ValidationResult> {
    await this.ensureUsable(call);
    const result = await this.run(['config', 'validate', '--json'], call);
    this.throwIfRefused(result);
    try {
      return parseValidate(result.stdout);
    } catch (err) {
      // Not the validate shape: a failure of its own (or output we cannot read).
      this.throwIfFailed('config validate', result);
      throw this.unreadable('config validate', result, err);
    }
  }

  private async gatewayCall(
    method: string,
    params: Record<string, unknown>,
    call: CallOptions,
  ): Promise<{ result: Record<string, unknown>; process: ProcessResult }> {
    await this.ensureUsable(call);
    const args = ['gateway', 'call', method, '--params', JSON.stringify(params), '--timeout', String(GATEWAY_RPC_TIMEOUT_MS), '--json'];
    const result = await this.run(args, call);
    this.throwIfRefused(result);
    let answer: ReturnType<typeof parseGatewayCall>;
    try {
      answer = parseGatewayCall(result.stdout);
    } catch (err) {
      this.throwIfFailed(`gateway call ${method}`, result);
      throw this.unreadable(`gateway call ${method}`, result, err);
    }
    if (!answer.ok) {
      if (GATEWAY_DOWN_TYPES.has(answer.type)) {
        throw new OpenClawError('GATEWAY_UNAVAILABLE', `The OpenClaw gateway is not reachable: ${firstLine(answer.message)}`, answer.message, result.code);
      }
      if (/no longer exists/.test(answer.message)) {
        throw new OpenClawError('REQUEST_GONE', 'That pairing request no longer exists in OpenClaw (it expired, or was approved or dismissed elsewhere).', answer.message, result.code);
      }
      throw new OpenClawError('CLI_FAILED', `OpenClaw's gateway refused ${method}: ${firstLine(answer.message)}`, answer.message, result.code);
    }
    if (result.code !== 0) throw this.failure(`gateway call ${method}`, result);
    return { result: answer.result, process: result };
  }

  private throwIfRefused(result: ProcessResult): void {
    if (result.code === 0) return;
    const refusal = nodeRefusal(result.stderr);
    if (refusal) {
      throw new OpenClawError(
        'NODE_UNSUPPORTED',
        `OpenClaw refuses to run on Node ${refusal.nodeVersion} (${refusal.message}). Install Node 24.16 or newer and make it the \`node\` that \`openclaw\` starts with, or point ${OPENCLAW_TOOL.settingName} at a wrapper that does.`,
        redactText(result.stderr.trim()),
        result.code,
      );
    }
  }

  private throwIfFailed(command: string, result: ProcessResult): void {
    this.throwIfRefused(result);
    if (result.code === 0) return;
    const reason = failureReason(result.stdout, result.stderr);
    if (reason && /^No pending pairing request found for code/.test(reason.message)) {
      throw new OpenClawError('UNKNOWN_CODE', `${reason.message.split('. ')[0]}: it expired (after 1 hour) or was already approved.`, reason.message, result.code);
    }
    if (reason && /^OpenClaw config is invalid/.test(reason.message)) {
      throw new OpenClawError('CONFIG_INVALID', `${reason.message}. Fix it (see the Problems view), then try again.`, reason.message, result.code);
    }
    throw this.failure(command, result);
  }

  private failure(command: string, result: ProcessResult): OpenClawError {
    const reason = failureReason(result.stdout, result.stderr);
    const said = reason?.message ?? (lastLine(result.stderr) || lastLine(result.stdout));
    return new OpenClawError(
      'CLI_FAILED',
      `openclaw ${command} failed (exit code ${result.code ?? result.signal})${said ? `: ${redactText(firstLine(said))}` : ''}. Run \`openclaw ${command}\` in a terminal to see the full output.`,
      redactText(`${result.stdout}\n${result.stderr}`.trim()),
      result.code,
    );
  }

  private unreadable(command: string, result: ProcessResult, err: unknown): OpenClawError {
    const printed = redactText(`${result.stdout}\n${result.stderr}`.trim()).slice(0, 2000);
    return new OpenClawError(
      'UNREADABLE_OUTPUT',
      `openclaw ${command} printed output this extension cannot read (${(err as Error).message}). It printed: ${printed ? JSON.stringify(printed.slice(0, 400)) : '(nothing)'}`,
      printed,
      result.code,
    );
  }

  private run(args: string[], call: CallOptions): Promise<ProcessResult> {
    return runProcess({
      tool: OPENCLAW_TOOL,
      executable: this.executable,
      executableArgs: this.executableArgs,
      args,
      env: this.options.env,
      extraEnv: { NO_COLOR: '1', ...(this.options.stateDir ? { OPENCLAW_STATE_DIR: this.options.stateDir } : {}) },
      logger: this.options.logger,
      killGraceMs: this.options.killGraceMs,
      timeoutMs: call.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: call.signal,
    });
  }
}

// Codes are 8 characters of A–Z/2–9; anything else (and a leading "-") must not reach the CLI's parser.
function assertCode(code: string): string {
  const trimmed = code.trim();
  if (!/^[A-Za-z0-9]{4,16}$/.test(trimmed)) throw new OpenClawError('UNKNOWN_CODE', `"${code}" is not an OpenClaw pairing code.`);
  return trimmed.toUpperCase();
}
