import type { IncomingHttpHeaders } from 'node:http';
import { isActivity, conversationKind, type Activity } from '../activity/activity';
import type { ActivityRecord, ActivitySummary, AuthResult, Source } from '../activity/activityRecord';
import { MAX_STORED_BODY_BYTES, type ActivityLog, type RecordInput } from '../activity/activityLog';
import { oneLineLogger, type Logger } from '../logger';
import type { PairingStore } from '../pairing/pairingStore';
import { isStateFileError } from '../pairing/stateFile';
import { decide, channelConversationId, type PairingState } from '../policy/policy';
import { fateOf, type Fate, type Reason } from '../reasons';
import type { TeamsBotConfig } from '../config/configTypes';
import type { ActivitySender, SendResult, SendTarget } from './activitySender';
import { forwardToBot, type ForwardResult } from './botForwarder';
import { echoMessage, pairingCodeMessage } from './messages';
import { localClientRefusal } from './requestSource';
import { checkInvokeAnswer, type InvokeWarning } from '../invokeContract/checkInvokeAnswer';
import { PROBE_HEADER, PROBE_RECORDS_PER_MINUTE, probeDetail, probeOf, ProbeRecordBudget, type ProbeAnswer } from '../deliveryCheck/probe';

/**
 * The request path of the webhook, independent of Express so the simulator
 * and replay can run activities through exactly the same steps:
 * parse → authenticate → policy → (drop and tell | forward or echo) → record.
 * Every path ends in one record with one reason; none ends in an empty 200.
 */
export interface InboundRequest {
  source: Source;
  headers: IncomingHttpHeaders;
  /** The raw body, already bounded by webhook.maxBodyBytes. */
  body: Buffer;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

export interface PipelineResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /**
   * Absent for the two answers that have none: a Delivery Check probe past its per-minute record budget,
   * and the webhook server's last-resort internal-error answer when recording itself failed.
   */
  record?: ActivityRecord;
}

/** An answer that was recorded: every one finish() builds, and so every simulated activity's. */
export type RecordedResponse = PipelineResponse & { record: ActivityRecord };

export interface Authenticator {
  check(authorizationHeader: string | undefined, activity: { serviceUrl?: string; channelId?: unknown }): Promise<
    { ok: true } | { ok: false; reason: Reason; detail: string }
  >;
}

export interface PipelineDeps {
  config(): TeamsBotConfig;
  /** undefined in local mode (no appId). */
  authenticator(): Authenticator | undefined;
  pairing: PairingStore;
  activities: ActivityLog;
  sender: ActivitySender;
  logger: Logger;
  /** Replaces every invoke's documented deadline in the invoke contract checks (tests). */
  invokeDeadlineMs?: number;
}

/** What a message from an unpaired sender did to the pairing store. */
type PairingStart = { kind: 'full'; pending: number } | { kind: 'ok'; code: string } | { kind: 'approved' };

export const FATE_HEADER = 'x-teams-bot-dev-fate';
export const REASON_HEADER = 'x-teams-bot-dev-reason';

export class Pipeline {
  private readonly deps: PipelineDeps;
  /**
   * Sends started after the answer (pairing codes, echo replies). stop() drains them, so every
   * outbound record and the replied mark are written before the gateway says it stopped, and
   * nothing touches the state dir afterwards.
   */
  private readonly background = new Set<Promise<void>>();
  /** Bounds the records a flood of Delivery Check probes can add (see probe.ts). */
  private readonly probeBudget = new ProbeRecordBudget();
  /** When the log last said probes past the budget go unrecorded: once a minute, not once a probe. */
  private probeFloodSaidAt = -Infinity;
  /** Answers whose records are still to be made (recordAfterAnswer). */
  private unrecorded: (() => ActivityRecord)[] = [];

  constructor(deps: PipelineDeps) {
    this.deps = { ...deps, logger: oneLineLogger(deps.logger) };
  }

  async handle(req: InboundRequest): Promise<PipelineResponse> {
    // First of all: a Delivery Check probe never reaches the parser, the policy, pairing or the bot.
    const probe = probeOf(req.headers);
    if (probe) return this.answerProbe(req, probe.nonce);
    let activity: Activity;
    try {
      const text = req.body.toString('utf8');
      const parsed: unknown = JSON.parse(text);
      if (!isActivity(parsed)) {
        return this.reject(req, 400, 'not-an-activity', 'the JSON body is not an activity object with a string "type"', undefined, 'not-checked');
      }
      const problem = shapeProblem(parsed, ACTIVITY_SHAPE);
      if (problem) return this.reject(req, 400, 'not-an-activity', `the JSON body is not a well-formed activity: ${problem}`, undefined, 'not-checked');
      activity = parsed;
      sourceText.set(activity, text);
    } catch (err) {
      return this.reject(req, 400, 'malformed-json', `the body is not valid JSON: ${(err as Error).message}`, undefined, 'not-checked');
    }

    const auth = await this.authenticate(req, activity);
    if (!auth.ok) return this.reject(req, auth.status ?? 401, auth.reason, auth.detail, activity, auth.status === 403 ? 'not-checked' : 'jwt-invalid');

    const config = this.deps.config();
    const store = this.deps.pairing;
    const pairingState: PairingState = {
      isPending: (id) => store.has(id),
      get pendingCount() {
        return store.pendingCount();
      },
      isApproved: (from) => store.isApproved(from),
    };
    let decision = decide(activity, config, pairingState);

    let pairing: PairingStart | undefined;
    if (!decision.accept && decision.reason === 'dm-pairing-pending') {
      try {
        pairing = await this.startPairing(activity, config);
      } catch (err) {
        // Only a state file that cannot be locked, read or written is the store's fault (503, with what to
        // fix); anything else is a bug in the gateway and goes on to become internal-error.
        if (!isStateFileError(err)) throw err;
        return this.pairingStoreFault(req, activity, auth.result, decision.detail, err);
      }
      // An approval landed (perhaps in another process) while the request was being written: no code, let them in.
      if (pairing.kind === 'approved') decision = decide(activity, config, pairingState);
    }

    if (!decision.accept) {
      let reason = decision.reason;
      let detail = decision.detail;
      let pairingCode: string | undefined;
      if (reason === 'dm-pairing-pending' && pairing) {
        if (pairing.kind === 'full') {
          reason = 'dm-pairing-full';
          detail = `${detail}; but ${pairing.pending} requests are already pending (pairing.maxPending), so no code was issued`;
        } else if (pairing.kind === 'ok') {
          pairingCode = pairing.code;
          detail = `${detail} (code ${pairing.code})`;
        }
      }
      if (reason === 'dm-pairing-pending') {
        this.deps.logger.info(`[msteams] pairing request sender=${activity.from!.id} code=${pairingCode}`);
      } else {
        this.deps.logger.info(`[msteams] dropped ${activity.type} reason=${reason} sender=${activity.from?.id ?? '-'}: ${detail}`);
      }
      const body = { status: 'dropped', reason, detail };
      return this.finish(req, 200, body, { fate: 'dropped', reason, detail, activity, auth: auth.result, pairingCode });
    }

    if (config.bot.echo) return this.echo(req, activity, config, decision.reason, auth.result);
    if (!config.bot.url) {
      const detail = 'accepted, but there is no bot to deliver it to: set bot.url to your bot\'s endpoint, or bot.echo to true';
      this.deps.logger.warn(`[msteams] ${activity.type} from ${activity.from?.id ?? '-'} not delivered: ${detail}`);
      return this.finish(req, 502, { status: 'failed', reason: 'no-bot', detail }, { fate: 'failed', reason: 'no-bot', detail, activity, auth: auth.result });
    }
    return this.forward(req, activity, config.bot.url, config.bot.timeoutMs, decision.reason, decision.detail, auth.result);
  }

  /**
   * Local mode's refusal of a loopback client that is a web browser or names a
   * non-loopback Host (requestSource.ts), decided from the headers alone. The
   * webhook server asks before anything else, so a browser's POST is answered
   * 403 browser-request whatever its body, size or path would have earned
   * (malformed-json, body-too-large, wrong-path). undefined: the request goes
   * on (not local mode: there the token is the proof, checked later).
   */
  localClientRefusal(req: Pick<InboundRequest, 'source' | 'headers'>): { reason: 'browser-request' | 'host-not-loopback'; detail: string } | undefined {
    if (req.source !== 'loopback' || this.deps.authenticator()) return undefined;
    return localClientRefusal(req.headers);
  }

  /** The answer to a refused local client; the activity is recorded when the body (if it could be read) is one. */
  refuseLocalClient(req: InboundRequest, refusal: { reason: 'browser-request' | 'host-not-loopback'; detail: string }): PipelineResponse {
    let activity: Activity | undefined;
    try {
      const text = req.body.toString('utf8');
      const parsed: unknown = JSON.parse(text);
      if (isActivity(parsed) && !shapeProblem(parsed, ACTIVITY_SHAPE)) {
        activity = parsed;
        sourceText.set(parsed, text);
      }
    } catch {
      /* not an activity: recorded without one */
    }
    return this.reject(req, 403, refusal.reason, refusal.detail, activity, 'not-checked');
  }

  private async authenticate(req: InboundRequest, activity: Activity): Promise<{ ok: true; result: AuthResult } | { ok: false; reason: Reason; detail: string; status?: number }> {
    if (req.source === 'simulated') return { ok: true, result: 'simulated' };
    const authenticator = this.deps.authenticator();
    if (authenticator) {
      const header = req.headers.authorization;
      const outcome = await authenticator.check(Array.isArray(header) ? header[0] : header, activity);
      return outcome.ok ? { ok: true, result: 'jwt-valid' } : outcome;
    }
    if (req.source !== 'loopback') {
      const how = req.source === 'tunnel' ? 'it carries proxy headers (it came through a tunnel)' : 'it comes from another machine';
      return { ok: false, reason: 'not-local', detail: `no appId is configured (local mode), and ${how}: set appId (and the app password) so the gateway can check Bot Framework tokens` };
    }
    // Loopback is not enough: a web page in the developer's browser is on loopback too (see requestSource.ts).
    // The webhook server has refused those before the body; this covers a request handed to handle() directly.
    const refusal = this.localClientRefusal(req);
    if (refusal) return { ok: false, status: 403, ...refusal };
    return { ok: true, result: 'local' };
  }

  /**
   * The pairing store could not save the request (state dir read-only, disk
   * full, a directory in the way, a lock held elsewhere). The message is not
   * lost from view: it is recorded (in memory if the disk is what failed),
   * answered at once with a reason, and logged with what to do; everyone else
   * keeps being served.
   */
  private pairingStoreFault(req: InboundRequest, activity: Activity, auth: AuthResult, decisionDetail: string, err: unknown): PipelineResponse {
    const why = err instanceof Error ? err.message : String(err);
    const detail = `${decisionDetail}; but no pairing code was issued because the pairing request could not be saved: ${why}`;
    this.deps.logger.error(`[msteams] pairing request from ${activity.from?.id ?? '-'} not saved, reason=pairing-store-unavailable: ${why}`);
    return this.finish(req, 503, { status: 'failed', reason: 'pairing-store-unavailable', detail }, { fate: 'failed', reason: 'pairing-store-unavailable', detail, activity, auth });
  }

  private async startPairing(activity: Activity, config: TeamsBotConfig): Promise<PairingStart> {
    const from = activity.from!;
    const result = await this.deps.pairing.touch({
      id: from.id,
      meta: {
        name: from.name,
        aadObjectId: from.aadObjectId,
        conversationId: activity.conversation?.id,
        serviceUrl: activity.serviceUrl,
        tenantId: activity.conversation?.tenantId ?? activity.channelData?.tenant?.id,
        botId: activity.recipient?.id,
        botName: activity.recipient?.name,
      },
    });
    if (result.kind === 'full' || result.kind === 'approved') return result;
    const request = result.request;
    // The store hands out the claim once per request, checked against its live state: however many
    // messages from this sender are in flight, exactly one of them sends the code.
    if (config.pairing.autoReply && activity.serviceUrl && activity.conversation?.id && this.deps.pairing.claimReply(from.id, request.code)) {
      // After the response: Teams waits for our answer, and a token fetch can take seconds.
      const target = { serviceUrl: activity.serviceUrl, conversationId: activity.conversation.id, replyToId: activity.id };
      this.afterAnswer(() =>
        this.send(target, replyTo(activity, pairingCodeMessage(request, config.pairing.codeTtlMinutes)), `pairing code ${request.code}`)
          .then((ok) => this.deps.pairing.releaseReply(from.id, ok), () => this.deps.pairing.releaseReply(from.id, false)));
    }
    return { kind: 'ok', code: request.code };
  }

  private async echo(req: InboundRequest, activity: Activity, config: TeamsBotConfig, acceptReason: Reason, auth: AuthResult): Promise<PipelineResponse> {
    const detail = `answered by the built-in echo bot (accepted as ${acceptReason})`;
    if (activity.type === 'message' && activity.serviceUrl && activity.conversation?.id) {
      const conversationId = config.replyStyle === 'top-level' && conversationKind(activity) === 'channel'
        ? channelConversationId(activity)!
        : activity.conversation.id;
      const target = { serviceUrl: activity.serviceUrl, conversationId, replyToId: activity.id };
      this.afterAnswer(() => this.send(target, replyTo(activity, echoMessage(activity.text)), 'echo reply'));
    }
    this.deps.logger.info(`[msteams] delivered ${activity.type} from ${activity.from?.id ?? '-'} to the echo bot (${acceptReason})`);
    return this.finish(req, 200, {}, { fate: 'delivered', reason: 'echo', detail, activity, auth, botResponse: { status: 200, body: {} } });
  }

  private async forward(req: InboundRequest, activity: Activity, botUrl: string, timeoutMs: number, acceptReason: Reason, acceptDetail: string, auth: AuthResult): Promise<PipelineResponse> {
    const sentAt = performance.now();
    const result = await forwardToBot(botUrl, req.headers, req.body, timeoutMs);
    // Invokes only: would Teams accept this answer? Noted on the record, never changing what is relayed.
    const contract = { deadlineMs: this.deps.invokeDeadlineMs };
    if (!result.ok) {
      const warnings = checkInvokeAnswer(activity, { none: result.reason }, contract);
      this.deps.logger.warn(`[msteams] ${activity.type} from ${activity.from?.id ?? '-'} failed: ${result.reason}: ${result.detail}${logWarnings(warnings)}`);
      const status = result.reason === 'bot-timeout' ? 504 : 502;
      return this.finish(req, status, { status: 'failed', reason: result.reason, detail: result.detail }, { fate: 'failed', reason: result.reason, detail: result.detail, activity, auth, warnings });
    }
    // The log shows the decoded answer; the caller gets the bytes as the bot sent them.
    const botResponse = { status: result.status, body: botBodyForLog(result) };
    const warnings = checkInvokeAnswer(activity, {
      status: result.status, body: botResponse.body, latencyMs: performance.now() - sentAt,
      bodyUnreadable: typeof result.plain === 'object' && result.plain.length <= MAX_STORED_BODY_BYTES ? undefined : 'not decoded or too large',
    }, contract);
    const failed = result.status >= 500;
    const reason: Reason = failed ? 'bot-error' : acceptReason;
    const detail = failed ? `the bot answered HTTP ${result.status}: see its response and its own log` : acceptDetail;
    return this.finish(req, result.status, result.body, {
      fate: failed ? 'failed' : 'delivered', reason, detail, activity, auth, botResponse, warnings,
      // After the answer, with the record: a synchronous write to the terminal is not worth the caller's wait.
      log: () => this.deps.logger[warnings.length ? 'warn' : 'info'](`[msteams] ${failed ? 'bot error for' : 'delivered'} ${activity.type} from ${activity.from?.id ?? '-'} (${reason}) → bot HTTP ${result.status}${logWarnings(warnings)}`),
    }, result.relayHeaders);
  }

  /**
   * The Delivery Check's probe (core/deliveryCheck/probe.ts): answered here with its nonce and how it
   * arrived (proxy headers = through the tunnel), recorded as reason "probe" (hidden from the activity
   * lists unless asked) while the per-minute budget lasts, and answered unrecorded after that.
   */
  private answerProbe(req: InboundRequest, nonce: string | undefined): PipelineResponse {
    const forwarded = req.headers['x-forwarded-host'];
    const forwardedHost = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.slice(0, 255);
    const fate = fateOf('probe');
    let status = 200;
    let body: ProbeAnswer | { status: Fate; reason: Reason; detail: string };
    let detail: string;
    const recorded = this.probeBudget.take();
    if (nonce === undefined) {
      status = 400;
      detail = `a Delivery Check probe whose ${PROBE_HEADER} header is not 8 to 64 letters, digits, "-" or "_"; not forwarded to the bot`;
      body = { status: fate, reason: 'probe', detail };
    } else {
      detail = probeDetail(nonce, req.source, forwardedHost);
      body = { status: 'probe', probe: nonce, source: req.source, forwardedHost, recorded };
    }
    if (recorded) {
      this.deps.logger.info(`[msteams] probe HTTP ${status}: ${detail}`);
      return this.finish(req, status, body, { fate, reason: 'probe', detail, auth: 'not-checked' });
    }
    const now = performance.now();
    if (now - this.probeFloodSaidAt >= 60_000) {
      this.probeFloodSaidAt = now;
      this.deps.logger.warn(`[msteams] more than ${PROBE_RECORDS_PER_MINUTE} Delivery Check probes in a minute: the rest are answered but neither recorded nor logged for a minute (a script running the check in a loop, or a flood)`);
    }
    return {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', [FATE_HEADER]: fate, [REASON_HEADER]: 'probe' },
      body: Buffer.from(JSON.stringify(body)),
    };
  }

  private reject(req: InboundRequest, status: number, reason: Reason, detail: string, activity: Activity | undefined, auth: AuthResult): PipelineResponse {
    this.deps.logger.warn(`[msteams] rejected HTTP ${status} reason=${reason}${activity?.from?.id ? ` sender=${activity.from.id}` : ''}: ${detail}`);
    return this.finish(req, status, { status: 'rejected', reason, detail }, { fate: 'rejected', reason, detail, activity, auth });
  }

  /** Records the request and builds the answer; the answer always names the fate and the reason. */
  finish(
    req: InboundRequest,
    status: number,
    body: Buffer | object,
    r: Pick<RecordInput, 'fate' | 'reason' | 'detail' | 'auth' | 'botResponse' | 'pairingCode' | 'warnings'> & {
      activity?: Activity;
      /** The request's log line, when it can wait until the answer is written: logged just before the record is made. */
      log?: () => void;
    },
    extraHeaders: Record<string, string> = {},
  ): RecordedResponse {
    const latencyMs = round(performance.now() - req.startedAt);
    let log = r.log;
    const record = this.recordAfterAnswer(() => {
      // Once, even when recording fails and is tried again in the next turn.
      log?.();
      log = undefined;
      return this.recordAnswered(req, status, latencyMs, r);
    });
    const isBuffer = Buffer.isBuffer(body);
    return {
      status,
      headers: {
        ...(isBuffer ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        ...extraHeaders,
        [FATE_HEADER]: r.fate,
        [REASON_HEADER]: r.reason,
      },
      body: isBuffer ? body : Buffer.from(JSON.stringify(body)),
      // Recorded once the answer is on its way, or at once for a caller that reads it (simulate, replay, chat).
      get record() {
        return record();
      },
    };
  }

  /** The record of an answered request (finish). */
  private recordAnswered(req: InboundRequest, status: number, latencyMs: number, r: Parameters<Pipeline['finish']>[3]): ActivityRecord {
    return this.deps.activities.record({
      direction: 'inbound',
      source: req.source,
      status,
      latencyMs,
      auth: r.auth,
      fate: r.fate,
      reason: r.reason,
      detail: r.detail,
      summary: summarize(r.activity),
      activity: r.activity as Record<string, unknown> | undefined,
      activityJson: r.activity && takeSourceText(r.activity),
      botResponse: r.botResponse,
      pairingCode: r.pairingCode,
      ...(r.warnings?.length ? { warnings: r.warnings } : {}),
    });
  }

  /**
   * Recording (redaction, the stored copy, the log line, the 'recorded' listeners) is a good part of the
   * request's cost and the caller need not wait for it: the webhook server reads PipelineResponse.record
   * right after it has written the answer, which records it then, before the event loop turns. Any answer
   * whose record nobody read is recorded in the next turn; sends after an answer flush first, and drain()
   * (stop()) before anything else, so nothing is lost or reordered.
   */
  private recordAfterAnswer(make: () => ActivityRecord): () => ActivityRecord {
    let record: ActivityRecord | undefined;
    const take = () => (record ??= make());
    this.unrecorded.push(take);
    if (this.unrecorded.length === 1) setImmediate(() => this.recordPending());
    return take;
  }

  private recordPending(): void {
    const pending = this.unrecorded;
    this.unrecorded = [];
    for (const take of pending) {
      try {
        take();
      } catch (err) {
        this.deps.logger.error(`[msteams] an activity could not be recorded (a bug; please report it): ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }

  /** Sends to Teams and records the outbound message with its fate. Resolves true when it was sent. */
  /** Waits for every send started after an answer, including those that start while waiting. */
  async drain(): Promise<void> {
    this.recordPending();
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** Runs a send once the answer is on its way (Teams waits for our answer; a token fetch can take seconds). */
  private afterAnswer(task: () => Promise<unknown>): void {
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      // The inbound record comes first, as it always did.
      .then(() => this.recordPending())
      .then(task)
      .then(() => undefined, (err: Error) => this.deps.logger.warn(`[msteams] a send after the answer failed: ${err.message}`))
      .finally(() => this.background.delete(run));
    this.background.add(run);
  }

  async send(target: SendTarget, activity: Partial<Activity>, purpose: string, source: Source = 'gateway'): Promise<boolean> {
    return (await sendAndRecord(this.deps, target, activity, purpose, source)).result.ok;
  }

  /** The same send, answering with its outcome and its record (a proactive message shows both). */
  sendRecorded(target: SendTarget, activity: Partial<Activity>, purpose: string, source: Source = 'gateway'): Promise<{ result: SendResult; record: ActivityRecord }> {
    return sendAndRecord(this.deps, target, activity, purpose, source);
  }
}

/**
 * The one way a message to Teams is sent and recorded as outbound with its fate (the gateway's
 * replies, pairing codes, proactive messages, and the CLI's `send`).
 */
export async function sendAndRecord(
  deps: Pick<PipelineDeps, 'sender' | 'activities' | 'logger'>,
  target: SendTarget,
  activity: Partial<Activity>,
  purpose: string,
  source: Source = 'gateway',
): Promise<{ result: SendResult; record: ActivityRecord }> {
  const started = performance.now();
  const result = await deps.sender.send(target, activity);
  const detail = result.ok ? `${purpose} sent to ${target.conversationId}` : `${purpose} not sent: ${result.detail}`;
  const record = deps.activities.record({
    direction: 'outbound',
    source,
    status: result.status,
    latencyMs: round(performance.now() - started),
    auth: 'outbound',
    fate: fateOf(result.ok ? 'sent' : result.reason),
    reason: result.ok ? 'sent' : result.reason,
    detail,
    summary: summarize({ type: 'message', ...activity, conversation: { id: target.conversationId } } as Activity),
    activity: { ...activity, serviceUrl: target.serviceUrl } as Record<string, unknown>,
  });
  if (result.ok) deps.logger.info(`[msteams] sent ${purpose} to ${target.conversationId}`);
  else deps.logger.warn(`[msteams] ${detail}`);
  return { result, record };
}

/**
 * The types of the fields the gateway itself reads (policy, pairing, replies,
 * log lines). A wrong type there would reach string methods, pairing.json and
 * the log; every other field is the bot's business and passes untouched.
 * null counts as absent, as the Bot Framework serializers write it.
 */
type Shape = 'string' | 'boolean' | { readonly [key: string]: Shape };
const ACCOUNT_SHAPE: Shape = { id: 'string', name: 'string', aadObjectId: 'string' };
const ACTIVITY_SHAPE: { readonly [key: string]: Shape } = {
  id: 'string',
  name: 'string',
  text: 'string',
  serviceUrl: 'string',
  from: ACCOUNT_SHAPE,
  recipient: ACCOUNT_SHAPE,
  conversation: { id: 'string', conversationType: 'string', isGroup: 'boolean', tenantId: 'string' },
  channelData: { team: { id: 'string' }, channel: { id: 'string' }, tenant: { id: 'string' } },
};

/** The first field that does not fit, as '"from.name" must be a string, not a number'; undefined when all do. */
function shapeProblem(value: Record<string, unknown>, shape: { readonly [key: string]: Shape }, prefix = ''): string | undefined {
  // Runs on every request: no entries array, and the field's name is spelled out only for an answer.
  for (const key in shape) {
    const want = shape[key];
    const v = Object.hasOwn(value, key) ? value[key] : undefined;
    if (v === undefined || v === null) continue;
    if (typeof want === 'string') {
      if (typeof v !== want) return `"${prefix}${key}" must be a ${want}, not ${typeName(v)}`;
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v)) return `"${prefix}${key}" must be an object, not ${typeName(v)}`;
    const inner = shapeProblem(v as Record<string, unknown>, want, `${prefix}${key}.`);
    if (inner) return inner;
  }
  return undefined;
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}

/** A reply in the sender's conversation, from the bot account they wrote to. */
export function replyTo(activity: Activity, text: string): Partial<Activity> {
  return {
    type: 'message',
    text,
    textFormat: 'markdown',
    from: activity.recipient,
    recipient: activity.from,
    conversation: activity.conversation,
    replyToId: activity.id,
  };
}

export function summarize(activity: Activity | undefined): ActivitySummary {
  if (!activity) return {};
  const text = typeof activity.text === 'string' ? activity.text.replace(/\s+/g, ' ').trim() : undefined;
  return {
    type: activity.type,
    name: typeof activity.name === 'string' ? activity.name : undefined,
    senderId: activity.from?.id,
    senderName: activity.from?.name,
    aadObjectId: activity.from?.aadObjectId,
    conversationId: activity.conversation?.id,
    conversationKind: activity.conversation ? conversationKind(activity) : undefined,
    teamId: activity.channelData?.team?.id,
    text: text ? text.slice(0, 120) : undefined,
  };
}

/**
 * What the activity log keeps of the bot's answer. An answer bigger than the
 * log stores is not parsed (up to 4 MiB of JSON.parse on the request path, only
 * for the log to cut it): it is kept as the log's own truncation marker.
 */
function botBodyForLog(result: Extract<ForwardResult, { ok: true }>): unknown {
  const { plain } = result;
  if (plain === undefined) return `(${result.body.length} bytes in Content-Encoding ${result.headers['content-encoding']} that the gateway cannot decode; relayed as sent)`;
  if (plain === 'too-large') return { _truncated: { reason: `the bot's answer (${result.body.length} bytes in Content-Encoding ${result.headers['content-encoding']}) decodes to more than the ${MAX_STORED_BODY_BYTES} bytes the activity log stores; relayed as sent` } };
  if (plain.length > MAX_STORED_BODY_BYTES) return { _truncated: { originalBytes: plain.length, preview: plain.subarray(0, 2000).toString('utf8') } };
  return parseMaybeJson(plain, result.headers['content-type']);
}

function parseMaybeJson(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      /* fall through: keep the text */
    }
  }
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** The invoke contract warnings for the request's one log line: "warning:" once, then each problem. */
function logWarnings(warnings: InvokeWarning[]): string {
  return warnings.length ? `; warning: ${warnings.map((w) => w.text).join('; ')}` : '';
}

/**
 * The request body each activity was parsed from, for the activity log (RecordInput.activityJson): only
 * objects this pipeline parsed are in it, so the text is that very activity's. Taken when the activity is recorded.
 */
const sourceText = new WeakMap<object, string>();

/**
 * The body text of an activity, once: the activity log keeps the activity itself (in its ring, for as long
 * as 2000 records), and with it in the map, its whole body text would stay in memory next to it.
 */
function takeSourceText(activity: object): string | undefined {
  const text = sourceText.get(activity);
  sourceText.delete(activity);
  return text;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
