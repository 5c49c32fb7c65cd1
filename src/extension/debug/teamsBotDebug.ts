import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { TunnelController } from '../tunnelController';
import { startWebhook } from '../commands/webhookCommands';
import { updateEndpoint } from '../setup/setupCommands';
import { readSetupValues } from '../setup/setupConfig';
import { loadConfigModule } from '../lazyModules';
import { explainFailure } from '../tools';
import { DEBUG_TYPE, defaultLaunch, type TeamsBotLaunch } from './launchConfig';
import { BotSecretFiles } from './botSecretFile';
import { restrictedModeBlockers, MANAGE_TRUST } from '../workspaceTrust';
import { trustBlockerMessage } from '../../core/config/trustBlockers';

const MARKER = '__teamsBotSession';

/** Why the last F5 stopped short: the step that failed and the message shown. */
export interface F5Failure {
  step: string;
  message: string;
}

/**
 * When each step of the last F5 finished (Date.now()), so the log can say
 * where F5's time went and `npm run bench` can report F5 time-to-ready by
 * phase. A step that did not run (webhook already running, no tunnel, no
 * Teams app) has no mark.
 */
export interface F5Timeline {
  /** VS Code handed the launch to this provider (launch.json read, the previous session's undo not yet awaited). */
  resolving: number;
  /** The webhook is listening (started by this F5, or found running). */
  webhookReady?: number;
  /** `devtunnel host` printed its URL for the webhook's port. */
  tunnelHosted?: number;
  /** The Teams app's messaging endpoint was read and, if it differed, updated. */
  endpointChecked?: number;
  /** The configuration went back to VS Code, whose Node debugger starts the bot. */
  handedToDebugger?: number;
}

interface LiveSession {
  /** The private env file carrying the client secret to the bot (deleted when the session ends). */
  secretFile?: string;
  startedWebhook: boolean;
  startedTunnel: boolean;
  keepTunnel: boolean;
  startedAt: number;
  /** The developer stopped it (a terminate/disconnect request reached the debugger before the bot ended). */
  stopRequested?: boolean;
}

/**
 * F5 for a Teams bot: validate the config, start the webhook, host the
 * tunnel, fix the Teams endpoint if the tunnel URL moved, then hand over to
 * VS Code's own Node debugger for the bot with its credentials in the
 * environment. Stopping the session undoes what it started.
 */
export class TeamsBotDebugProvider implements vscode.DebugConfigurationProvider, vscode.Disposable {
  private readonly live = new Map<string, LiveSession>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The last F5 failure (a step before the bot started, or a bot that exited at once); cleared by each new F5. */
  lastFailure: F5Failure | undefined;
  /** The steps of the last F5 that got past its first check; replaced by each new F5. */
  lastTimeline: F5Timeline | undefined;
  /** The undo of sessions that ended; the next F5 waits for it, so it never reuses a webhook or tunnel being stopped. */
  private cleanup: Promise<void> = Promise.resolve();

  private readonly secretFiles: BotSecretFiles;

  constructor(private readonly ctx: Ctx, private readonly tunnel: TunnelController) {
    const storage = ctx.extension.storageUri ?? ctx.extension.globalStorageUri;
    this.secretFiles = new BotSecretFiles(path.join(storage.fsPath, 'f5'));
    // A window that crashed mid-session left its file: nothing can be using it now.
    this.secretFiles.deleteAll();
    this.disposables.push(
      vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, this),
      vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: () => [defaultLaunch()] }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
      vscode.debug.onDidTerminateDebugSession((s) => void this.ended(s)),
      vscode.debug.registerDebugAdapterTrackerFactory('*', { createDebugAdapterTracker: (s) => this.tracker(s) }),
    );
  }

  /** Tells a stop the developer asked for from a bot that ended by itself, for the F5 session and its child sessions. */
  private tracker(debugSession: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    let owner: vscode.DebugSession | undefined = debugSession;
    while (owner && typeof owner.configuration[MARKER] !== 'string') owner = owner.parentSession;
    const session = owner ? this.live.get(owner.configuration[MARKER] as string) : undefined;
    if (!session) return undefined;
    let terminated = false;
    return {
      onDidSendMessage: (m: { type?: string; event?: string }) => {
        if (m?.type === 'event' && m.event === 'terminated') terminated = true;
      },
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (!terminated && m?.type === 'request' && (m.command === 'terminate' || m.command === 'disconnect')) session.stopRequested = true;
      },
    };
  }

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [defaultLaunch()];
  }

  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, given: vscode.DebugConfiguration, token?: vscode.CancellationToken): Promise<vscode.DebugConfiguration | undefined | null> {
    // F5 with no launch.json: VS Code passes an empty configuration.
    const config: TeamsBotLaunch = given.type ? (given as TeamsBotLaunch) : { ...defaultLaunch() };
    const timeline: F5Timeline = { resolving: Date.now() };
    this.lastTimeline = timeline;
    this.lastFailure = undefined;
    await this.cleanup;
    const root = folder?.uri.fsPath ?? this.ctx.folder?.uri.fsPath;
    if (!root) {
      void this.ctx.toasts.error('F5 for a Teams bot needs an open folder with teams-bot.config.json.');
      return undefined;
    }
    const session: LiveSession = { startedWebhook: false, startedTunnel: false, keepTunnel: config.keepTunnel ?? false, startedAt: Date.now() };
    const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    let step = 'Checking teams-bot.config.json';
    try {
      // 1. The config must be valid before anything starts.
      const configFile = this.ctx.configFile!;
      const text = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : '{}';
      const blockers = await restrictedModeBlockers(this.ctx);
      if (blockers.length) {
        step = 'Checking workspace trust';
        throw new StepError(trustBlockerMessage(blockers), MANAGE_TRUST, 'workbench.trust.manage');
      }
      const loaded = loadConfigModule().parseConfigText(text, { env: process.env, file: configFile });
      if (!loaded.config) {
        const first = loaded.diagnostics.find((d) => d.severity === 'error');
        throw new StepError(`${first ? loadConfigModule().formatDiagnostic(first) : 'the config is invalid'}`, 'Open Config', 'teamsBot.editConfig');
      }
      const program = resolveVars(config.program ?? '${workspaceFolder}/index.js', root);
      if (!fs.existsSync(program)) {
        throw new StepError(`the bot program ${program} does not exist: set "program" in launch.json to your bot's entry file`, 'Open launch.json', 'workbench.action.debug.configure');
      }

      // 2. The webhook.
      step = 'Starting the webhook';
      if (!this.ctx.host.gateway) {
        const state = await startWebhook(this.ctx, { quiet: true });
        if (!state) throw new StepError(this.ctx.host.state.error ?? 'see the Teams Bot log', 'Show Log', 'teamsBot.showLog', true);
        session.startedWebhook = true;
      }
      timeline.webhookReady = Date.now();
      if (token?.isCancellationRequested) return this.abort(session);

      // 3. The bot's port must be free, or its listen() will fail.
      step = 'Checking the bot port';
      const botPort = config.botPort ?? 3979;
      if (await portInUse(botPort)) {
        throw new StepError(`port ${botPort} is already in use, so your bot cannot listen on it: stop the process using it, or set "botPort" in launch.json`, 'Open launch.json', 'workbench.action.debug.configure');
      }

      // 4. The tunnel and the Teams endpoint.
      const values = await readSetupValues(this.ctx);
      if (config.tunnel !== false && values.tunnelId) {
        step = `Starting tunnel ${values.tunnelId}`;
        const wasRunning = this.tunnel.state.status === 'running';
        await this.tunnel.start(values.tunnelId, values.tunnelPort ?? this.ctx.host.state.port ?? values.webhookPort);
        session.startedTunnel = !wasRunning;
        session.keepTunnel = config.keepTunnel ?? values.keepTunnel ?? false;
        timeline.tunnelHosted = Date.now();
        if (values.teamsAppId) {
          step = 'Updating the Teams app endpoint';
          await updateEndpoint(this.ctx, this.tunnel, { quiet: true });
          timeline.endpointChecked = Date.now();
        }
      } else if (config.tunnel !== false) {
        this.ctx.logger.info('[f5] no tunnel configured (run Set Up Bot to reach Teams); the webhook is reachable locally only');
      }

      // 5. Forward accepted activities to the bot about to start.
      step = 'Connecting the webhook to your bot';
      const botUrl = `http://127.0.0.1:${botPort}${config.botPath ?? '/api/messages'}`;
      this.ctx.host.gateway!.setBotUrl(botUrl);

      // 6. The bot under VS Code's own Node debugger.
      step = 'Starting your bot';
      const secret = process.env.MSTEAMS_APP_PASSWORD ?? (await this.ctx.secrets.get(values.appId));
      const env: Record<string, string> = { ...(config.env ?? {}), PORT: String(botPort) };
      if (values.appId) env.CLIENT_ID = values.appId;
      if (values.tenantId) env.TENANT_ID = values.tenantId;
      // Never in `env`: the resolved configuration is readable by every extension (see botSecretFile.ts).
      const envFile = secret ? this.secretFiles.write({ CLIENT_SECRET: secret }, ownEnvFile(config.envFile, root)) : config.envFile;
      session.secretFile = secret ? envFile : undefined;
      // "Exited right after it started" counts from here, not from the webhook and tunnel steps before.
      session.startedAt = Date.now();
      this.live.set(id, session);
      timeline.handedToDebugger = Date.now();
      this.ctx.logger.info(`[f5] starting ${program} on port ${botPort}; the webhook forwards to ${botUrl} (${describeTimeline(timeline)})`);
      return {
        type: 'node',
        request: 'launch',
        name: config.name ?? 'Teams bot',
        program,
        cwd: resolveVars(config.cwd ?? '${workspaceFolder}', root),
        args: config.args ?? [],
        env,
        ...(envFile ? { envFile } : {}),
        ...(config.runtimeExecutable ? { runtimeExecutable: config.runtimeExecutable } : {}),
        skipFiles: ['<node_internals>/**'],
        console: 'internalConsole',
        outputCapture: 'std',
        [MARKER]: id,
      };
    } catch (err) {
      this.lastFailure = { step, message: (err as Error).message };
      await this.abort(session);
      if (err instanceof StepError) {
        if (!err.alreadyShown) {
          void this.ctx.toasts.error(`F5: ${step} failed: ${err.message}`, err.action, 'Show Log').then((c) => {
            if (c === err.action) return vscode.commands.executeCommand(err.command);
            if (c === 'Show Log') return vscode.commands.executeCommand('teamsBot.showLog');
            return undefined;
          });
        }
      } else {
        void explainFailure(this.ctx, `F5: ${step}`, err);
      }
      this.ctx.logger.error(`[f5] ${step} failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Undo what a session started: forwarding, the tunnel (unless kept), the webhook if F5 started it. */
  private async ended(debugSession: vscode.DebugSession): Promise<void> {
    const id = debugSession.configuration[MARKER] as string | undefined;
    const session = id ? this.live.get(id) : undefined;
    if (!id || !session) return;
    this.live.delete(id);
    const seconds = (Date.now() - session.startedAt) / 1000;
    if (seconds < 5 && !session.stopRequested) {
      this.lastFailure = { step: 'Running your bot', message: `your bot exited ${seconds.toFixed(1)} s after it started` };
      void this.ctx.toasts.error(`F5: your bot exited ${seconds.toFixed(1)} s after it started: see the Debug Console for its error.`, 'Show Debug Console').then((c) => c && vscode.commands.executeCommand('workbench.debug.action.toggleRepl'));
    }
    this.ctx.host.gateway?.setBotUrl(undefined);
    const undo = this.cleanup.then(() => this.abort(session)).then(() => undefined);
    this.cleanup = undo;
    await undo;
    this.ctx.logger.info('[f5] session ended; stopped what it started');
  }

  private async abort(session: LiveSession): Promise<undefined> {
    this.secretFiles.delete(session.secretFile);
    if (session.startedTunnel && !session.keepTunnel) await this.tunnel.stop().catch(() => undefined);
    if (session.startedWebhook) await this.ctx.host.stop().catch(() => undefined);
    return undefined;
  }

  dispose(): void {
    this.secretFiles.deleteAll();
    for (const d of this.disposables) d.dispose();
  }
}

/** "steps took 812 ms: webhook 95 ms, tunnel 420 ms, endpoint 290 ms": where F5's own time went, for the log. */
function describeTimeline(t: F5Timeline): string {
  const parts: string[] = [];
  let at = t.resolving;
  for (const [name, mark] of [['webhook', t.webhookReady], ['tunnel', t.tunnelHosted], ['endpoint', t.endpointChecked]] as const) {
    if (mark === undefined) continue;
    parts.push(`${name} ${mark - at} ms`);
    at = mark;
  }
  const end = t.handedToDebugger ?? at;
  return `steps took ${end - t.resolving} ms${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

class StepError extends Error {
  constructor(message: string, readonly action: string, readonly command: string, readonly alreadyShown = false) {
    super(message);
  }
}

function resolveVars(value: string, root: string): string {
  const resolved = value
    .replace(/\$\{workspaceFolder\}/g, root)
    .replace(/\$\{workspaceFolderBasename\}/g, path.basename(root))
    .replace(/\$\{userHome\}/g, os.homedir())
    .replace(/\$\{env:([^}]+)\}/g, (_, name: string) => process.env[name] ?? '');
  return path.isAbsolute(resolved) ? resolved : path.join(root, resolved);
}

/**
 * The developer's own envFile, read here (not by js-debug) when F5 merges it
 * into the secret's env file. This runs before VS Code substitutes variables
 * (the returned configuration is js-debug's, so no later hook of ours sees
 * it): the variables an env file path uses are resolved here, and a file that
 * is not there stops the launch with its path rather than being left out.
 */
function ownEnvFile(envFile: string | undefined, root: string): string | undefined {
  if (!envFile) return undefined;
  const file = resolveVars(envFile, root);
  const unknown = /\$\{[^}]*\}/.exec(file);
  if (unknown) throw new StepError(`"envFile" in launch.json uses ${unknown[0]}, which F5 cannot resolve for a bot with a client secret: use \${workspaceFolder}, \${env:NAME}, \${userHome} or a path`, 'Open launch.json', 'workbench.action.debug.configure');
  if (!fs.existsSync(file)) throw new StepError(`the envFile ${file} named in launch.json does not exist: create it, or remove "envFile"`, 'Open launch.json', 'workbench.action.debug.configure');
  return file;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.once('listening', () => server.close(() => resolve(false)));
    server.listen(port, '127.0.0.1');
  });
}
