import type { Logger } from '../logger';
import { TypedEmitter } from '../typedEmitter';
import type { OpenClawCli } from './openclawCli';
import { OpenClawError } from './openclawErrors';
import type { OpenClawPairingRequest } from './openclawOutput';
import type { StoreWatcher } from './storeWatcher';

/**
 * OpenClaw's pending msteams requests as the sidebar sees them, kept fresh
 * without polling the slow CLI: the store watcher says when the SQLite files
 * moved and this asks `pairing list` once. Refreshes never overlap; an
 * explicit refresh() during one (after an approval, say) causes exactly one
 * more. New codes (not seen in an earlier list) are announced once each, for
 * the notification.
 */
export interface ApprovalOutcome {
  senderId: string;
  /** The sender got OpenClaw's approval message in Teams. */
  notified: boolean;
  via: 'gateway' | 'cli';
  /** The first approval through the CLI rewrote openclaw.json as plain JSON (a .bak was kept). */
  configRewritten: boolean;
  /** One or two plain sentences for the user: what happened and, when they were not told, what to do. */
  message: string;
}

export interface ApproveHooks {
  /**
   * Called when the gateway is down, just before the CLI approves (which, with
   * no command owner yet, rewrites openclaw.json); false cancels the approval.
   */
  beforeCliApproval?: () => Promise<boolean>;
}

/** beforeCliApproval said no: nothing was approved. */
export class ApprovalCancelledError extends Error {
  constructor(code: string) {
    super(`The approval of ${code} was cancelled; nothing changed.`);
    this.name = 'ApprovalCancelledError';
  }
}

interface PairingsEvents {
  changed: readonly OpenClawPairingRequest[];
  /** Requests whose code was not in any earlier list (not raised for the first list). */
  newRequests: readonly OpenClawPairingRequest[];
  error: Error;
  /** A refresh started (true) or ended (false): the view shows progress. */
  busy: boolean;
}

export interface OpenClawPairingsOptions {
  cli: OpenClawCli;
  accountId: string;
  watcher?: StoreWatcher;
  logger?: Logger;
}

export class OpenClawPairings extends TypedEmitter<PairingsEvents> {
  private current: OpenClawPairingRequest[] = [];
  private readonly seenCodes = new Set<string>();
  private listedOnce = false;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private error: Error | undefined;
  private readonly unwatch: (() => void) | undefined;

  constructor(private readonly options: OpenClawPairingsOptions) {
    super();
    // Ignored while a list runs: OpenClaw's own `pairing list` writes the store (it prunes and
    // checkpoints), so reacting would loop. A request written during that window is picked up
    // by the next change or the owner's occasional safety refresh.
    this.unwatch = options.watcher?.on('changed', () => {
      if (!this.inFlight) void this.refresh();
    });
  }

  get requests(): readonly OpenClawPairingRequest[] {
    return this.current;
  }

  get lastError(): Error | undefined {
    return this.error;
  }

  get refreshing(): boolean {
    return this.inFlight !== undefined;
  }

  /** Lists once; if a refresh is running, one more follows it. Resolves when the list is current. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.emit('busy', true);
    this.inFlight = (async () => {
      try {
        do {
          this.again = false;
          await this.listOnce();
        } while (this.again);
      } finally {
        this.inFlight = undefined;
        this.emit('busy', false);
      }
    })();
    return this.inFlight;
  }

  /**
   * Approves through the running gateway with notify, so the sender is told
   * in Teams. When the gateway is not up, approves with the CLI and says
   * plainly that the sender was not told and how to tell them.
   */
  async approve(request: OpenClawPairingRequest, hooks: ApproveHooks = {}): Promise<ApprovalOutcome> {
    const { cli, accountId } = this.options;
    const who = request.name ? `${request.name} (${request.senderId})` : request.senderId;
    const name = request.name ?? 'the sender';
    try {
      let outcome: ApprovalOutcome;
      let gatewayDown: OpenClawError | undefined;
      try {
        const pending = await cli.gatewayRequests(accountId);
        const match = pending.find((p) => p.senderId === request.senderId && p.accountId.toLowerCase() === accountId.toLowerCase());
        if (!match) throw new OpenClawError('REQUEST_GONE', `OpenClaw's gateway has no pending request from ${who} any more (it expired, or was approved or dismissed elsewhere).`);
        const result = await cli.approveThroughGateway(match);
        outcome =
          result.notification === 'sent'
            ? { senderId: result.senderId, notified: true, via: 'gateway', configRewritten: false, message: `Approved ${who}. OpenClaw told them in Teams that they can message the bot now.` }
            : {
                senderId: result.senderId,
                notified: false,
                via: 'gateway',
                configRewritten: false,
                message: `Approved ${who}, but OpenClaw could not send them the approval message (notification ${result.notification}). Tell ${name} yourself that they can message the bot now.`,
              };
      } catch (err) {
        if (!(err instanceof OpenClawError && err.code === 'GATEWAY_UNAVAILABLE')) throw err;
        gatewayDown = err;
      }
      if (gatewayDown) {
        this.options.logger?.info(`[openclaw] gateway not reachable (${gatewayDown.message}); approving ${request.code} with the CLI`);
        // Only the CLI path may rewrite openclaw.json, so only here is there anything to confirm.
        if (hooks.beforeCliApproval && !(await hooks.beforeCliApproval())) throw new ApprovalCancelledError(request.code);
        const result = await cli.approveWithCli(request.code, accountId);
        outcome = {
          senderId: result.senderId,
          notified: false,
          via: 'cli',
          configRewritten: result.ownerBootstrapped,
          message:
            `Approved ${who}, but ${name} was NOT told: OpenClaw's gateway is not running, and only the gateway can message them. ` +
            `Tell them yourself that they can message the bot now (their next message gets through), or start the gateway (\`openclaw gateway run\`) before approving next time.` +
            (result.ownerBootstrapped ? ' This first approval also made them the command owner and rewrote openclaw.json as plain JSON (the old file is openclaw.json.bak).' : ''),
        };
      }
      this.options.logger?.info(`[openclaw] approved msteams sender=${outcome!.senderId} via=${outcome!.via} notified=${outcome!.notified}`);
      return outcome!;
    } finally {
      await this.refresh().catch(() => undefined);
    }
  }

  /**
   * OpenClaw can dismiss a request only through its running gateway (the CLI
   * has no reject). Without it, says so, and when the request expires by itself.
   */
  async reject(request: OpenClawPairingRequest): Promise<void> {
    const { cli, accountId } = this.options;
    try {
      const pending = await cli.gatewayRequests(accountId);
      const match = pending.find((p) => p.senderId === request.senderId);
      if (!match) throw new OpenClawError('REQUEST_GONE', 'That pairing request no longer exists in OpenClaw (it expired, or was approved or dismissed elsewhere).');
      await cli.dismissThroughGateway(match);
      this.options.logger?.info(`[openclaw] rejected msteams sender=${request.senderId}`);
    } catch (err) {
      if (err instanceof OpenClawError && err.code === 'GATEWAY_UNAVAILABLE') {
        const minutes = Math.max(0, Math.ceil((Date.parse(request.createdAt) + 3_600_000 - Date.now()) / 60_000));
        throw new OpenClawError(
          'GATEWAY_UNAVAILABLE',
          `OpenClaw can reject a request only through its running gateway, which is not reachable (${err.message.replace(/^The OpenClaw gateway is not reachable: /, '').replace(/\.$/, '')}). Start it (\`openclaw gateway run\`) and reject again, or leave it: the request expires by itself in ${minutes} min and the sender stays blocked.`,
          err.printed,
          err.exitCode,
        );
      }
      throw err;
    } finally {
      await this.refresh().catch(() => undefined);
    }
  }

  dispose(): void {
    this.unwatch?.();
  }

  private async listOnce(): Promise<void> {
    try {
      const list = await this.options.cli.listPending(this.options.accountId);
      // Our own read may have touched the store (OpenClaw prunes expired rows, checkpoints the WAL).
      this.options.watcher?.rebaseline();
      const fresh = list.filter((r) => !this.seenCodes.has(r.code));
      for (const r of list) this.seenCodes.add(r.code);
      this.current = list;
      this.error = undefined;
      this.emit('changed', list);
      if (this.listedOnce && fresh.length > 0) this.emit('newRequests', fresh);
      this.listedOnce = true;
    } catch (err) {
      this.error = err as Error;
      this.options.logger?.warn(`[openclaw] ${(err as Error).message}`);
      this.emit('error', err as Error);
    }
  }
}
