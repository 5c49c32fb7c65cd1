import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { TypedEmitter } from '../typedEmitter';
import type { Logger } from '../logger';
import type { Activity, ConversationKind } from '../activity/activity';
import type { ActivityRecord } from '../activity/activityRecord';
import { ActivityLog } from '../activity/activityLog';
import { PairingStore } from '../pairing/pairingStore';
import type { PairingOutcome, PairingRequest } from '../pairing/pairingRequest';
import { approvePairing, rejectPairing, listApproved, revokeApproval, promoteApproval, type ApproveResult, type ApprovedSenderView } from '../pairing/pairingActions';
import type { ApprovedSender } from '../pairing/allowStore';
import { isStateFileError } from '../pairing/stateFile';
import { normalizePairingCode } from '../pairing/pairingCode';
import { loadConfigFile, requireValidConfig, type LoadedConfig } from '../config/configLoader';
import { formatDiagnostic, type ConfigDiagnostic } from '../config/configDiagnostic';
import type { TeamsBotConfig, TeamsBotSecrets } from '../config/configTypes';
import { trustBlockers, trustBlockerMessage } from '../config/trustBlockers';
import { definedOnly } from '../definedOnly';
import { Pipeline, summarize, type Authenticator, type RecordedResponse } from './pipeline';
import { createWebhookApp, listen, boundPort, SIMULATOR_PREFIX, type SimulatorCapture } from './webhookServer';
import { buildChatActivity, chatEnvironment } from '../chat/chatActivities';
import type { ChatConversation } from '../chat/chatTypes';
import { nextMessageId } from '../chat/messageIds';
import type { ActivitySender, SendResult, SendTarget } from './activitySender';
import { approvalNotice } from './approvalNotice';
import { isSimulatorServiceUrl } from './simulatorUrl';
import { ConversationStore, type ConversationReferenceEntry } from '../conversations/conversationStore';
import { proactiveMessage } from '../conversations/proactiveMessage';
import { createConnectorSender, createAuthenticator } from './teamsConnection';
import { GATEWAY_LOCK_FILE, StateDirInUseError, StateDirLock } from './stateDirLock';

export type GatewayStatus = 'stopped' | 'starting' | 'running' | 'stopping';

export interface GatewayState {
  status: GatewayStatus;
  url?: string;
  port?: number;
  localMode?: boolean;
  error?: string;
}

/** The typed events every UI subscribes to: sidebar, status bar, notifications, CLI log. */
export type GatewayEvents = {
  state: GatewayState;
  activity: ActivityRecord;
  pairingRequested: PairingRequest;
  pairingResolved: { request: PairingRequest; outcome: PairingOutcome };
  pairingsChanged: PairingRequest[];
  configChanged: LoadedConfig;
  /**
   * An edit made the config file unusable; the gateway keeps running on the
   * last good configuration. Emitted for every failed reload; the next good
   * reload emits configChanged (with loaded.config set) instead.
   */
  configError: ConfigErrorEvent;
  /** The DM-only pairing approvals (allowFrom.json) changed, here or in another process. */
  approvedChanged: ApprovedSender[];
  /** The stored conversation references changed (a message from a new conversation, or a newer one); most recently active first. */
  conversationsChanged: ConversationReferenceEntry[];
  /**
   * What a bot did at the simulator's serviceUrl, in the order it arrived: op send (a reply, a typing
   * indicator, the gateway's own pairing code or echo), update or delete, with the activity's id
   * (assigned for a send; the target for update and delete). A delete's activity is only `{ id }`.
   */
  simulatorReply: { conversationId: string; activity: Record<string, unknown>; op?: SimulatorCapture['op']; activityId?: string };
};

export interface ConfigErrorEvent {
  file: string;
  /** One sentence: what happened and that the last good configuration stays in force. */
  message: string;
  /** The errors, each with path, message and (when in the file) line and column; empty when the file could not be read at all. */
  diagnostics: ConfigDiagnostic[];
}

export interface GatewayOptions {
  configFile: string;
  stateDir: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** From VS Code Secret Storage; env MSTEAMS_APP_PASSWORD fills in when absent. */
  secrets?: TeamsBotSecrets;
  /** Command-line overrides that win over the file. */
  overrides?: { port?: number; host?: string; botUrl?: string; echo?: boolean };
  /** Already-open stores (the extension keeps them for its views while the webhook is stopped). */
  pairing?: PairingStore;
  activities?: ActivityLog;
  conversations?: ConversationStore;
  /** Replaces the Bot Connector client (tests). */
  sender?: ActivitySender;
  /**
   * Whether the folder the config comes from is trusted (VS Code's workspace
   * trust; the CLI is always trusted, the default). While it is not, a config
   * that redirects trust (core/config/trustBlockers.ts) is refused at start
   * and on every reload: an edit (a `git pull`) after the start must not
   * slip in what the start would have refused.
   */
  trusted?: () => boolean;
  /** Replaces every invoke's documented deadline in the invoke contract checks (tests: late without waiting 5 s). */
  invokeDeadlineMs?: number;
}

export interface SimulateInput {
  user: { id: string; name?: string; aadObjectId?: string };
  kind: ConversationKind;
  text: string;
  mention?: boolean;
  teamId?: string;
  channelId?: string;
}

/**
 * The local webhook: config, stores, pipeline and HTTP server, started and
 * stopped as one. The CLI's `serve` and the extension's Start Webhook both
 * drive this class, so they behave the same.
 */
export class Gateway extends TypedEmitter<GatewayEvents> {
  readonly pairing: PairingStore;
  readonly activities: ActivityLog;
  /** The conversations seen on authenticated requests (conversations.json), for proactive messages. */
  readonly conversationStore: ConversationStore;
  private server?: http.Server;
  private lock?: StateDirLock;
  private pipeline?: Pipeline;
  private loaded?: LoadedConfig;
  private current?: TeamsBotConfig;
  private authenticator?: Authenticator;
  private sender?: ActivitySender;
  private state: GatewayState = { status: 'stopped' };
  private unsubscribe: (() => void)[] = [];
  private configWatcher?: () => void;
  private configuredBot?: TeamsBotConfig['bot'];
  private runtimeBotUrl?: string;
  /** The last reload failed: the UI shows an error until a good reload. */
  private configBroken = false;
  /** Codes this gateway is approving itself (approvePairing logs those); others are approvals from elsewhere. */
  private readonly approvingHere = new Set<string>();
  /** Proactive messages on their way: stop() waits for them, so their records are saved before it resolves. */
  private readonly proactive = new Set<Promise<unknown>>();

  constructor(private readonly options: GatewayOptions) {
    super();
    this.pairing = options.pairing ?? new PairingStore({ file: path.join(options.stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20, logger: options.logger });
    this.activities = options.activities ?? new ActivityLog({ dir: options.stateDir, logger: options.logger });
    this.conversationStore = options.conversations ?? new ConversationStore({ dir: options.stateDir, logger: options.logger });
  }

  get status(): GatewayState {
    return this.state;
  }

  get config(): TeamsBotConfig | undefined {
    return this.current;
  }

  get configFile(): string {
    return path.resolve(this.options.configFile);
  }

  get loadedConfig(): LoadedConfig | undefined {
    return this.loaded;
  }

  /** Loads and validates the config, opens the stores and starts listening. Throws a one-sentence error on failure. */
  async start(): Promise<GatewayState> {
    if (this.state.status === 'running' || this.state.status === 'starting') return this.state;
    this.setState({ status: 'starting' });
    try {
      const loaded = await this.loadConfig();
      const config = requireValidConfig(loaded);
      checkBotUrl(config);
      const blocked = this.untrustedBlockers(config);
      if (blocked.length) throw new Error(`Restricted Mode: ${trustBlockerMessage(blocked)}`);
      this.current = config;
      this.loaded = loaded;
      this.rebuildConnection(config, loaded.secrets);
      // Before the stores: a second gateway on this state dir would interleave the activity log (StateDirInUseError).
      this.lock = await this.takeStateDir(config.webhook.port);
      this.pairing.setLimits({ ttlMinutes: config.pairing.codeTtlMinutes, maxPending: config.pairing.maxPending });
      await Promise.all([this.loadPairing(), this.activities.load(), this.conversationStore.load()]);
      this.wireStores();

      const pipeline = new Pipeline({
        config: () => this.current!,
        authenticator: () => this.authenticator,
        pairing: this.pairing,
        activities: this.activities,
        sender: { send: (target, activity) => this.sendVia(target, activity) },
        logger: this.options.logger,
        invokeDeadlineMs: this.options.invokeDeadlineMs,
      });
      this.pipeline = pipeline;
      const app = createWebhookApp({
        path: config.webhook.path,
        maxBodyBytes: config.webhook.maxBodyBytes,
        pipeline,
        logger: this.options.logger,
        onSimulatorReply: (reply) => this.captureSimulatorReply(reply),
      });
      this.server = await listen(app, config.webhook.host, config.webhook.port, { logger: this.options.logger, pipeline });
      const port = boundPort(this.server);
      const url = `http://${urlHost(config.webhook.host)}:${port}${config.webhook.path}`;
      await this.lock?.update({ port, url, bot: lockBot((this.current ?? config).bot) }).catch(() => undefined);
      this.pairing.watch();
      this.watchConfig();
      const localMode = !config.appId;
      this.options.logger.info(`[msteams] gateway listening on ${url} (${localMode ? 'local mode: loopback clients only, no JWT' : `appId ${config.appId}: Bot Framework JWT required`}; dmPolicy=${config.dmPolicy}, groupPolicy=${config.groupPolicy}; ${config.bot.echo ? 'echo bot' : config.bot.url ? `forwarding to ${config.bot.url}` : 'no bot configured'})`);
      for (const d of loaded.diagnostics) this.options.logger.warn(`[config] ${d.path}: ${d.message}`);
      return this.setState({ status: 'running', url, port, localMode });
    } catch (err) {
      await this.closeServer();
      this.teardown();
      await this.releaseLock();
      const message = (err as Error).message;
      this.setState({ status: 'stopped', error: message });
      throw err;
    }
  }

  /**
   * A pairing store that cannot be read (a directory where pairing.json
   * should be, no permission) must not keep the webhook down: allowed senders
   * are still served, and each new pairing is answered pairing-store-unavailable
   * until it is fixed.
   */
  private async loadPairing(): Promise<void> {
    try {
      await this.pairing.load();
    } catch (err) {
      if (!isStateFileError(err)) throw err;
      this.options.logger.error(`[msteams] ${err.message} Starting without pending pairing requests; new senders are answered pairing-store-unavailable until this is fixed.`);
    }
  }

  /** Stops listening after in-flight requests finish, and flushes the activity log to disk. */
  async stop(): Promise<void> {
    if (this.state.status === 'stopped') return;
    this.setState({ ...this.state, status: 'stopping' });
    await this.closeServer();
    await this.pipeline?.drain();
    await Promise.allSettled([...this.proactive]);
    await this.conversationStore.flush();
    await this.pairing.flush().catch((err: Error) => this.options.logger.warn(`[msteams] saving pairing message counts failed: ${err.message}`));
    this.teardown();
    await this.activities.releaseFile();
    await this.releaseLock();
    this.options.logger.info('[msteams] gateway stopped');
    this.setState({ status: 'stopped' });
  }

  /**
   * Points forwarding at another bot endpoint while running (F5 starts the
   * developer's bot on its own port); undefined goes back to the config's bot.
   */
  setBotUrl(url: string | undefined): void {
    this.runtimeBotUrl = url;
    if (!this.current) return;
    const next = { ...this.current, bot: this.effectiveBot(this.configuredBot ?? this.current.bot) };
    checkBotUrl(next);
    this.current = next;
    this.publishBot();
    const bot = next.bot;
    this.options.logger.info(`[msteams] forwarding accepted activities to ${bot.echo ? 'the echo bot' : bot.url ?? 'nothing (no bot configured)'}`);
  }

  /** Tells gateway.lock's readers (the Delivery Check) where accepted activities now go. */
  private publishBot(): void {
    if (this.current) void this.lock?.update({ bot: lockBot(this.current.bot) }).catch(() => undefined);
  }

  /** The file's bot (after command-line overrides), replaced by F5's bot while a session runs. */
  private effectiveBot(configured: TeamsBotConfig['bot']): TeamsBotConfig['bot'] {
    return this.runtimeBotUrl ? { ...configured, url: this.runtimeBotUrl, echo: false } : configured;
  }

  /**
   * Approves a pairing code: the state dir's allowFrom.json gains the sender
   * (personal chats only; the config file is untouched), and the sender is
   * told. Resolves once the running gateway lets them in, so the sender's
   * next message is never taken for a new pairing.
   */
  async approve(code: string, via = 'gateway'): Promise<ApproveResult> {
    const normalized = normalizePairingCode(code);
    this.approvingHere.add(normalized);
    try {
      return await approvePairing({
        configFile: this.configFile,
        store: this.pairing,
        logger: this.options.logger,
        via,
        notify: this.current?.pairing.notifyOnApprove === false ? undefined : (request) => this.notifyApproved(request),
      }, code);
    } finally {
      this.approvingHere.delete(normalized);
    }
  }

  /** Pairing approvals and the config's allowFrom entries, for the Approved Senders view. */
  listApproved(): Promise<ApprovedSenderView[]> {
    return listApproved({ store: this.pairing, config: this.current });
  }

  /** Removes a pairing approval; the sender's next personal message starts a new pairing. */
  revoke(id: string): Promise<ApprovedSender> {
    return revokeApproval({ configFile: this.configFile, store: this.pairing, logger: this.options.logger, config: this.current }, id);
  }

  /** Moves a pairing approval into the config's allowFrom (which also covers groups when groupAllowFrom is unset), and applies it at once. */
  async promote(id: string): Promise<{ sender: ApprovedSender; added: boolean }> {
    const result = await promoteApproval({ configFile: this.configFile, store: this.pairing, logger: this.options.logger }, id);
    await this.reloadConfig();
    return result;
  }

  reject(code: string): Promise<PairingRequest> {
    return rejectPairing({ configFile: this.configFile, store: this.pairing, logger: this.options.logger }, code);
  }

  /** The conversations the gateway has seen on authenticated requests, most recently active first. */
  conversations(): ConversationReferenceEntry[] {
    return this.conversationStore.list();
  }

  /**
   * Sends a proactive message as the bot into a stored conversation, through the same send as
   * every reply (Pipeline.send: the serviceUrl allowlist, the bot's credentials, an outbound
   * record). A simulated conversation's message goes to the running simulator, whatever port
   * it had when the conversation was stored. Throws only when it cannot try (not running,
   * unknown conversation); a failed send is the result, with the explained detail.
   */
  async sendProactive(conversationId: string, text: string): Promise<{ result: SendResult; record: ActivityRecord; conversation: ConversationReferenceEntry }> {
    const pipeline = this.requireRunning();
    const conversation = this.conversationStore.get(conversationId);
    if (!conversation) throw new Error(`No stored conversation ${conversationId}: the gateway keeps those it has received a message from (teams-bot-dev conversations lists them).`);
    const { target, activity } = proactiveMessage(conversation, text);
    if (isSimulatorServiceUrl(target.serviceUrl)) target.serviceUrl = this.simulatorServiceUrl;
    const sending = pipeline.sendRecorded(target, activity, 'proactive message');
    this.proactive.add(sending);
    try {
      const { result, record } = await sending;
      return { result, record, conversation };
    } finally {
      this.proactive.delete(sending);
    }
  }

  /** Runs a made-up activity through the real pipeline, marked "simulated"; bot replies come back as simulatorReply events. */
  async simulate(input: SimulateInput): Promise<ActivityRecord> {
    // The simulated activity needs the running config and port; say so instead of failing on their absence.
    this.requireRunning();
    return this.inject(this.buildSimulatedActivity(input));
  }

  /** Sends a recorded activity through the pipeline again (as simulated: the original token is gone). */
  async replay(recordId: string): Promise<ActivityRecord> {
    const record = this.activities.get(recordId);
    if (!record?.activity) throw new Error(`Activity ${recordId} has no stored body to replay: only activities that were parsed can be replayed.`);
    const activity = { ...record.activity, id: `replay-${randomUUID()}`, timestamp: new Date().toISOString() } as Activity;
    return this.inject(activity);
  }

  private requireRunning(): Pipeline {
    if (!this.pipeline || this.state.status !== 'running') throw new Error('The webhook is not running: start it first (Teams Bot: Start Webhook, or teams-bot-dev serve).');
    return this.pipeline;
  }

  private async inject(activity: Activity): Promise<ActivityRecord> {
    return (await this.handleSimulated(activity)).record;
  }

  /**
   * Runs a complete activity through the pipeline, marked "simulated", and
   * returns the pipeline's answer as the webhook would send it (a bot's invoke
   * response included). Conversation tests set the activity's serviceUrl to
   * simulatorServiceUrl, so the bot's replies come back as simulatorReply events.
   */
  async handleSimulated(activity: Activity): Promise<RecordedResponse> {
    const response = await this.requireRunning().handle({
      source: 'simulated',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from(JSON.stringify(activity)),
      startedAt: performance.now(),
    });
    // No probe header here, so the answer comes from Pipeline.finish and has its record (read now: recorded at once).
    const record = response.record;
    if (!record) throw new Error('the gateway answered a simulated activity without recording it (a bug; please report it)');
    return { ...response, record };
  }

  /** The serviceUrl whose replies the running gateway captures (simulatorReply events) instead of sending them to Teams. */
  get simulatorServiceUrl(): string {
    this.requireRunning();
    return `http://127.0.0.1:${this.state.port}${SIMULATOR_PREFIX}`;
  }

  /** Simulate Incoming Message's input as the chat's builder makes it (core/chat/chatActivities.ts): one shape for both. */
  private buildSimulatedActivity(input: SimulateInput): Activity {
    const conversation: ChatConversation =
      input.kind === 'personal'
        ? { kind: 'personal', user: { ...input.user, name: input.user.name ?? input.user.id } }
        : input.kind === 'groupChat'
          ? { kind: 'groupChat', id: '19:simulated-group@thread.v2', members: [] }
          : { kind: 'channel', teamId: input.teamId ?? '19:simulated-team@thread.tacv2', channelId: input.channelId ?? '19:simulated-channel@thread.tacv2' };
    return buildChatActivity(chatEnvironment(this.current, this.simulatorServiceUrl), conversation, input.user, { type: 'message', text: input.text, mentionBot: input.mention });
  }

  /** Gateway-sent messages to the simulator's own serviceUrl are captured in-process; the rest go to Teams. */
  private async sendVia(target: SendTarget, activity: Partial<Activity>): Promise<SendResult> {
    if (this.state.port && target.serviceUrl === `http://127.0.0.1:${this.state.port}${SIMULATOR_PREFIX}`) {
      const id = nextMessageId();
      this.emit('simulatorReply', { conversationId: target.conversationId, activity: { ...activity, id }, op: 'send', activityId: id });
      return { ok: true, status: 201 };
    }
    if (!this.sender) return { ok: false, reason: 'send-failed', status: 0, detail: 'the gateway is not running' };
    return this.sender.send(target, activity);
  }

  private captureSimulatorReply({ conversationId, op, activityId, activity }: SimulatorCapture): void {
    const body = activity ?? { id: activityId };
    const did = op === 'update' ? `updated its message ${activityId} in`
      : op === 'delete' ? `deleted its message ${activityId} from`
        : activity?.type === 'typing' ? 'sent a typing indicator to' : 'replied to';
    this.activities.record({
      direction: 'outbound', source: 'simulated', status: op === 'send' ? 201 : 200, latencyMs: 0, auth: 'outbound',
      fate: 'delivered', reason: 'sent', detail: `the bot ${did} simulated conversation ${conversationId}`,
      summary: summarize({ type: op === 'delete' ? 'messageDelete' : 'message', ...body, conversation: { id: conversationId } } as Activity),
      activity: body,
    });
    this.emit('simulatorReply', { conversationId, activity: body, op, activityId });
  }

  private async notifyApproved(request: PairingRequest): Promise<{ sent: boolean; detail: string }> {
    const notice = approvalNotice(request);
    if (!notice) return { sent: false, detail: 'the request has no conversation to reply to' };
    if (!this.pipeline) return { sent: false, detail: 'the webhook is not running, so no notice was sent' };
    const sent = await this.pipeline.send(notice.target, notice.activity, `approval notice for ${request.code}`);
    return { sent, detail: sent ? 'the sender was told they are approved' : 'the approval notice could not be sent (see the Activities log)' };
  }

  private async loadConfig(): Promise<LoadedConfig> {
    const env = this.options.env ?? process.env;
    const loaded = await loadConfigFile(this.options.configFile, env);
    const o = this.options.overrides ?? {};
    if (loaded.config) {
      if (o.port !== undefined) loaded.config.webhook.port = o.port;
      if (o.host !== undefined) loaded.config.webhook.host = o.host;
      if (o.botUrl !== undefined) loaded.config.bot = { ...loaded.config.bot, url: o.botUrl, echo: false };
      if (o.echo) loaded.config.bot = { ...loaded.config.bot, url: undefined, echo: true };
      this.configuredBot = loaded.config.bot;
      loaded.config.bot = this.effectiveBot(loaded.config.bot);
    }
    loaded.secrets = { ...loaded.secrets, ...definedOnly(this.options.secrets, { emptyStrings: true }) };
    return loaded;
  }

  /** Picks up edits (an approval from the CLI, a developer's change) within a second. */
  private watchConfig(): void {
    const file = this.configFile;
    let timer: NodeJS.Timeout | undefined;
    const onChange = (curr: fs.Stats, prev: fs.Stats) => {
      if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
      clearTimeout(timer);
      timer = setTimeout(() => void this.reloadConfig(), 50);  // never rejects: see reloadConfig
    };
    fs.watchFile(file, { interval: 250 }, onChange);
    this.configWatcher = () => {
      clearTimeout(timer);
      fs.unwatchFile(file, onChange);
    };
  }

  /**
   * Re-reads the config after an edit. Never rejects: it runs from a file
   * watcher, where a rejection would be unhandled and end `serve`. A file that
   * cannot be read, parsed, validated or applied keeps the last good
   * configuration running, logs every error with its line and column, and
   * emits configError for the extension to show.
   */
  async reloadConfig(): Promise<void> {
    if (this.state.status !== 'running') return;
    try {
      await this.applyReloadedConfig();
    } catch (err) {
      this.configFailed([], (err as Error).message);
    }
  }

  private async applyReloadedConfig(): Promise<void> {
    // loadConfig records the file's bot; a refused edit must not leave it for setRuntimeBotUrl to apply later.
    const configuredBefore = this.configuredBot;
    const loaded = await this.loadConfig();
    if (this.state.status !== 'running') return;
    this.loaded = loaded;
    if (!loaded.config) {
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      this.emit('configChanged', loaded);
      this.configFailed(errors, `${errors.length} error${errors.length === 1 ? '' : 's'}`);
      return;
    }
    const before = this.current!;
    const next = loaded.config;
    try {
      checkBotUrl(next);
    } catch (err) {
      this.configuredBot = configuredBefore;
      this.configFailed([{ severity: 'error', code: 'bot-url-loop', path: 'bot.url', message: (err as Error).message }], 'bot.url points at the gateway');
      return;
    }
    const blocked = this.untrustedBlockers(next);
    if (blocked.length) {
      const diagnostics = blocked.map((b): ConfigDiagnostic => ({ severity: 'error', code: 'untrusted-config', path: b.path, message: `not applied in an untrusted folder (Restricted Mode): it ${b.risk}. Trust the folder if you wrote this config, or remove the key.` }));
      this.configuredBot = configuredBefore;
      this.configFailed(diagnostics, `the folder is not trusted (Restricted Mode) and the config sets ${blocked.map((b) => b.path).join(', ')}`);
      return;
    }
    const webhookChanged = before.webhook.port !== next.webhook.port || before.webhook.path !== next.webhook.path || before.webhook.host !== next.webhook.host || before.webhook.maxBodyBytes !== next.webhook.maxBodyBytes;
    const recovered = this.configBroken;
    // A reload that changes nothing is silent, unless it ends an error the UI is showing.
    if (!webhookChanged && !recovered && isDeepStrictEqual(next, before)) return;
    if (webhookChanged) {
      this.options.logger.warn('[config] webhook settings changed: restart the webhook to apply them');
      next.webhook = before.webhook;
    }
    this.rebuildConnection(next, loaded.secrets);
    this.current = next;
    this.publishBot();
    this.configBroken = false;
    this.pairing.setLimits({ ttlMinutes: next.pairing.codeTtlMinutes, maxPending: next.pairing.maxPending });
    this.options.logger.info(`[config] reloaded ${this.configFile} (dmPolicy=${next.dmPolicy}, allowFrom: ${next.allowFrom.length} entr${next.allowFrom.length === 1 ? 'y' : 'ies'})`);
    this.emit('configChanged', loaded);
  }

  /** The trust-redirecting keys of a config from the file, when the folder is not trusted; [] otherwise. */
  private untrustedBlockers(config: TeamsBotConfig): ReturnType<typeof trustBlockers> {
    if (this.options.trusted?.() ?? true) return [];
    // The file's bot, not the one F5 set at run time (always loopback, ours).
    return trustBlockers({ ...config, bot: this.configuredBot ?? config.bot });
  }

  private configFailed(diagnostics: ConfigDiagnostic[], why: string): void {
    this.configBroken = true;
    const message = `${this.configFile} could not be applied (${why}); the webhook keeps the last valid configuration until it is fixed`;
    const lines = diagnostics.map((d) => `  ${formatDiagnostic(d)}`);
    this.options.logger.error(`[config] ${message}${lines.length ? `:\n${lines.join('\n')}` : '.'}`);
    this.emit('configError', { file: this.configFile, message, diagnostics });
  }

  private rebuildConnection(config: TeamsBotConfig, secrets: TeamsBotSecrets): void {
    this.authenticator = config.appId ? createAuthenticator(config, this.options.logger) : undefined;
    this.sender = this.options.sender ?? createConnectorSender(config, secrets, this.options.logger);
  }

  private wireStores(): void {
    if (this.unsubscribe.length) return;
    this.unsubscribe.push(
      this.activities.on('recorded', (record) => this.emit('activity', record)),
      // Every authenticated inbound record carries a conversation reference worth keeping (the store decides).
      this.activities.on('recorded', (record) => this.conversationStore.observe(record)),
      this.conversationStore.on('changed', (list) => this.emit('conversationsChanged', list)),
      this.pairing.on('requested', (request) => this.emit('pairingRequested', request)),
      this.pairing.on('resolved', (event) => {
        // An approval made by another process (the CLI) takes effect here now: say so once, in the log.
        if (event.outcome === 'approved' && !this.approvingHere.has(event.request.code)) {
          this.options.logger.info(`[msteams] pairing ${event.request.code} approved elsewhere: ${event.request.id} may now message the bot in personal chats`);
        }
        this.emit('pairingResolved', event);
      }),
      this.pairing.on('approvedChanged', (list) => this.emit('approvedChanged', list)),
      this.pairing.on('changed', (list) => this.emit('pairingsChanged', list)),
    );
  }

  private teardown(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.configWatcher?.();
    this.configWatcher = undefined;
    if (!this.options.pairing) this.pairing.close();
    this.pipeline = undefined;
  }

  /**
   * One gateway per state dir (StateDirInUseError). A state dir that cannot
   * be written at all (read-only, a file in its path, disk full) is no reason
   * not to serve: nothing can be written there for a second gateway to
   * interleave with, the activity log keeps records in memory, and pairing
   * writes fail with their own reason. So that is a warning, not a refusal.
   */
  private async takeStateDir(port: number): Promise<StateDirLock | undefined> {
    try {
      return await StateDirLock.acquire(this.options.stateDir, { port });
    } catch (err) {
      if (err instanceof StateDirInUseError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      // A mutex held past its wait is another gateway mid-start (or one that crashed holding it), not a dir that cannot be written.
      if (code === 'ELOCKED') {
        const file = path.join(path.resolve(this.options.stateDir), GATEWAY_LOCK_FILE);
        throw new Error(`Another teams-bot-dev gateway is taking the state dir ${path.resolve(this.options.stateDir)} right now (${file}.lock is held): start again in a few seconds; if no other gateway runs, delete ${file}.lock.`);
      }
      this.options.logger.warn(`[msteams] the state dir ${path.resolve(this.options.stateDir)} cannot be written (${code}): serving anyway, with activities kept in memory only and pairing requests refused until it is writable; another gateway on this state dir would not be noticed. Fix its permissions or point --state-dir / teamsBot.stateDir at a writable directory.`);
      return undefined;
    }
  }

  private async releaseLock(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    await lock?.release().catch((err: Error) => this.options.logger.warn(`[msteams] could not remove ${lock.file} (${err.message}); the next gateway takes it over once this process has exited`));
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; then the rest are cut.
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
  }

  private setState(state: GatewayState): GatewayState {
    this.state = state;
    this.emit('state', state);
    return state;
  }
}

/** A bot.url that points back at the gateway would forward every activity to itself forever. */
function checkBotUrl(config: TeamsBotConfig): void {
  if (!config.bot.url) return;
  const url = new URL(config.bot.url);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const local = ['127.0.0.1', 'localhost', '[::1]', '0.0.0.0', config.webhook.host].includes(url.hostname);
  if (local && port === config.webhook.port) {
    throw new Error(`bot.url ${config.bot.url} points at the gateway itself (port ${port}): run your bot on another port (e.g. 3979) and set bot.url to it.`);
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The bot as gateway.lock records it: where accepted activities go, nothing else of the bot's settings. */
function lockBot(bot: TeamsBotConfig['bot']): { url?: string; echo?: boolean } {
  return bot.echo ? { echo: true } : { url: bot.url };
}
