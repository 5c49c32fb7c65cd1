import * as net from 'node:net';
import { readActivities, type ActivityQuery } from '../activity/activityLog';
import type { ActivityRecord } from '../activity/activityRecord';
import { loadConfigFile } from '../config/configLoader';
import { formatDiagnostic } from '../config/configDiagnostic';
import type { TeamsBotConfig, TeamsBotSecrets } from '../config/configTypes';
import { checkCredentials as defaultCheckCredentials, type CredentialCheckInput, type CredentialCheckResult } from '../credentials/credentialCheck';
import { definedOnly } from '../definedOnly';
import { DEVTUNNEL_TOOL, type Devtunnel } from '../drivers/devtunnel';
import { NotLoggedInError } from '../drivers/devtunnelErrors';
import type { TunnelInfo } from '../drivers/devtunnelOutput';
import type { TeamsCli } from '../drivers/teamsCli';
import { TeamsCliError } from '../drivers/teamsCliErrors';
import { TEAMS_TOOL } from '../drivers/teamsCli';
import { ToolNotFoundError } from '../process/toolNotFound';
import { formatSeconds } from '../process/processErrors';
import { GATEWAY_LOCK_FILE, runningGateway, type LockHolder } from '../gatewayLockFile';
import { REASONS } from '../reasons';
import { isHttpUrl } from '../config/httpUrl';
import { messagingEndpoint, sameEndpoint } from '../setup/endpoint';
import { ago } from '../timeAgo';
import { HOP_TITLES, type DeliveryCheckReport, type HopFix, type HopId, type HopResult, type HopStatus } from './hops';
import { newProbeNonce, sendProbe, type ProbeReply } from './probe';

/**
 * The Delivery Check: walks the path a Teams message takes (config → webhook
 * → tunnel → public URL → registered endpoint → credentials → bot → what
 * arrived last) and says for each hop whether it works, the evidence, and
 * the fix. A hop whose prerequisite failed is skipped with why, so the first
 * failure is the one to fix. The CLIs run through the drivers (one mechanism
 * with Set Up Bot and F5); nothing here changes anything.
 */
export interface DeliveryCheckInput {
  configFile: string;
  /** Where the gateway keeps activities.jsonl: the probe's record and the last activity are read there. */
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  /** Secret Storage's (extension); the environment fills in as for the gateway. */
  secrets?: TeamsBotSecrets;
  devtunnel: Devtunnel;
  teams: TeamsCli;
  /** The tunnel this process hosts (the extension's), when it knows one: its URL needs no `devtunnel show`. */
  hostedTunnel?: { id: string; port: number; url: string };
  /** B's Credential Check; replaceable for tests. */
  checkCredentials?: (input: CredentialCheckInput) => Promise<CredentialCheckResult>;
  /** Reads the activity log; default readActivities(stateDir). */
  readActivities?: (q: ActivityQuery) => Promise<ActivityRecord[]>;
  /** Per network step (probe, connect); default 10 s. */
  timeoutMs?: number;
  /** How long to wait for the probe's record to reach the log (it is written in batches); default 3 s. */
  recordWaitMs?: number;
  signal?: AbortSignal;
  /** Called as each hop is decided (progress). */
  onHop?: (hop: HopResult) => void;
  now?: () => Date;
}

/** Sources of requests that came from outside this machine: what Teams sends looks like this. */
const FROM_TEAMS = new Set(['tunnel', 'remote']);
const AFTER_CONFIG: readonly HopId[] = ['webhook', 'tunnel', 'probe', 'endpoint', 'credentials', 'bot', 'last-activity'];

export async function runDeliveryCheck(input: DeliveryCheckInput): Promise<DeliveryCheckReport> {
  const now = input.now ?? (() => new Date());
  const time = now().toISOString();
  const hops: HopResult[] = [];
  const add = (hop: HopResult): HopResult => {
    hops.push(hop);
    input.onHop?.(hop);
    return hop;
  };
  const skip = (id: HopId, why: string) => add(hop(id, 'skipped', why));
  const done = (): DeliveryCheckReport => ({ ok: !hops.some((h) => h.status === 'failed'), time, configFile: input.configFile, stateDir: input.stateDir, hops });
  const env = input.env ?? process.env;
  const timeoutMs = input.timeoutMs ?? 10_000;
  const read = input.readActivities ?? ((q: ActivityQuery) => readActivities(input.stateDir, q));

  // 1. config
  let config: TeamsBotConfig;
  let secrets: TeamsBotSecrets;
  try {
    const loaded = await loadConfigFile(input.configFile, env);
    if (!loaded.config) {
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      add(hop('config', 'failed', `${input.configFile} has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}: the webhook cannot start with it.`, errors.map(formatDiagnostic), {
        title: 'Open Config', command: 'teamsBot.editConfig', cli: `teams-bot-dev config validate --config ${input.configFile}`,
      }));
      for (const id of AFTER_CONFIG) skip(id, 'the config is not valid');
      return done();
    }
    config = loaded.config;
    // Only Secret Storage's: the Credential Check reads MSTEAMS_APP_PASSWORD from env itself, and says which it used.
    secrets = definedOnly(input.secrets ?? {}, { emptyStrings: true });
    add(hop('config', 'passed', loaded.exists ? `${input.configFile} is valid.` : `No ${input.configFile}: the defaults apply (local mode).`, [
      `webhook ${config.webhook.host}:${config.webhook.port}${config.webhook.path}`,
      config.appId ? `appId ${config.appId}` : 'no appId (local mode)',
      ...(config.tunnel?.id ? [`tunnel.id ${config.tunnel.id}`] : []),
      ...(config.teamsAppId ? [`teamsAppId ${config.teamsAppId}`] : []),
    ]));
  } catch (err) {
    add(hop('config', 'failed', (err as Error).message, [], { title: 'Open Config', command: 'teamsBot.editConfig' }));
    for (const id of AFTER_CONFIG) skip(id, 'the config could not be read');
    return done();
  }

  // 2. webhook: a probe straight to the port proves it is this gateway, on this path. The gateway holding the
  // state dir says where it listens (gateway.lock): `serve --port`, the extension's settings or port 0 are not in the config.
  const webhookPath = config.webhook.path;
  const running = await runningGateway(input.stateDir);
  // The file is input like any other: only a port and URL that are what a gateway writes are believed.
  const listening = Number.isInteger(running?.port) && typeof running?.url === 'string' && URL.canParse(running.url) ? { port: running.port!, url: running.url } : undefined;
  const webhookPort = listening?.port ?? config.webhook.port;
  const localHost = connectHost(config.webhook.host);
  const localUrl = listening?.url ?? `http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${webhookPort}${webhookPath}`;
  const where = listening
    ? `${localUrl}: where the gateway holding ${input.stateDir} (pid ${running!.pid}) listens, from its ${GATEWAY_LOCK_FILE}${listening.port !== config.webhook.port ? ` (the config says port ${config.webhook.port})` : ''}`
    : `${localUrl}: the config's (no running gateway holds ${input.stateDir})`;
  const webhook = await checkWebhook(localUrl, where, timeoutMs, input.signal);
  add(webhook);

  // 3. tunnel
  const tunnel = await checkTunnel(input, config, webhookPort, skip);
  if (tunnel.hop) add(tunnel.hop);

  // 4. probe through the public URL
  if (webhook.status !== 'passed') skip('probe', 'the webhook is not answering locally');
  else if (!tunnel.publicUrl) skip('probe', tunnel.hop ? 'the tunnel is not ready: see its hop' : 'there is no tunnel to send it through');
  else add(await checkProbe(messagingEndpoint(tunnel.publicUrl, webhookPath), read, timeoutMs, input.recordWaitMs ?? 3000, input.stateDir, input.signal));

  // 5. endpoint registered with Teams
  if (!config.teamsAppId) skip('endpoint', 'no teamsAppId in the config (Set Up Bot registers the app and records it)');
  else if (!tunnel.publicUrl) skip('endpoint', 'the tunnel URL is not known (see the tunnel hop), so there is nothing to compare the registered endpoint with');
  else add(await checkEndpoint(input.teams, config.teamsAppId, messagingEndpoint(tunnel.publicUrl, webhookPath), input.signal));

  // 6. credentials
  add(await checkCredentialsHop(config, secrets, env, input.checkCredentials ?? defaultCheckCredentials));

  // 7. bot
  add(await checkBot(botOf(config, running), timeoutMs));

  // 8. last activity from Teams
  add(await checkLastActivity(read, now(), input.stateDir));

  return done();
}

/** The evidence line for an activity log that could not be read (EACCES, EISDIR, …). */
function logUnreadable(stateDir: string, err: unknown): string {
  return `reading the activity log in ${stateDir} failed: ${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.replace(/ {2,}/g, ' ');
}

function hop(id: HopId, status: HopStatus, summary: string, evidence: string[] = [], fix?: HopFix): HopResult {
  return { id, title: HOP_TITLES[id], status, summary, evidence, ...(fix ? { fix } : {}) };
}

/** A wildcard bind address is reached on loopback. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[|\]$/g, '');
}

async function checkWebhook(url: string, where: string, timeoutMs: number, signal?: AbortSignal): Promise<HopResult> {
  const nonce = newProbeNonce();
  const reply = await sendProbe(url, nonce, { timeoutMs, signal });
  const start: HopFix = { title: 'Start Webhook', command: 'teamsBot.startWebhook', cli: 'teams-bot-dev serve' };
  if (reply.kind === 'answered') return hop('webhook', 'passed', `The webhook answers at ${url}.`, [where, `POST ${url} → HTTP ${reply.status}, probe ${nonce} echoed`]);
  if (reply.kind === 'unreachable') {
    const refused = reply.code === 'ECONNREFUSED';
    return hop('webhook', 'failed', refused ? `Nothing listens on ${new URL(url).host}: the webhook is not running.` : `The webhook at ${url} did not answer: ${reply.message}.`, [where, `POST ${url} → ${reply.code ?? reply.message}`], start);
  }
  const ours = reply.reason !== undefined;
  return hop('webhook', 'failed',
    ours
      ? `A teams-bot-dev webhook answers on ${new URL(url).host}, but not at ${new URL(url).pathname} (${reply.reason}): it runs with another config.`
      : `Something else answers on ${new URL(url).host} (HTTP ${reply.status}), not the webhook: is your bot listening on the webhook's port?`,
    [where, `POST ${url} → HTTP ${reply.status}${reply.reason ? ` ${reply.reason}` : ''}${reply.body ? `: ${reply.body}` : ''}`],
    ours ? { title: 'Restart Webhook', command: 'teamsBot.restartWebhook' } : { title: 'Open Config', command: 'teamsBot.editConfig', args: [['webhook', 'port']] });
}

async function checkTunnel(
  input: DeliveryCheckInput,
  config: TeamsBotConfig,
  port: number,
  skip: (id: HopId, why: string) => HopResult,
): Promise<{ hop?: HopResult; publicUrl?: string }> {
  const id = config.tunnel?.id;
  if (!id) {
    skip('tunnel', 'no tunnel.id in the config (Set Up Bot creates a persistent tunnel and records it)');
    return {};
  }
  const evidence: string[] = [];
  const fail = (summary: string, fix: HopFix): { hop: HopResult } => ({ hop: hop('tunnel', 'failed', summary, evidence, fix) });
  const startTunnel: HopFix = { title: 'Start Tunnel', command: 'teamsBot.startTunnel', cli: `devtunnel host ${id}` };
  const tool = input.devtunnel;
  try {
    const user = await tool.userShow({ signal: input.signal });
    evidence.push(`devtunnel user show → ${user.status}${user.username ? ` (${user.username})` : ''}`);
    if (!user.loggedIn) {
      return fail(user.expired ? 'The devtunnel sign-in has expired.' : 'devtunnel is not signed in.', { title: 'Sign In to devtunnel', command: 'teamsBot.signInDevtunnel', cli: 'devtunnel user login' });
    }
    const info: TunnelInfo | undefined = await tool.show(id, { signal: input.signal });
    if (!info) {
      evidence.push(`devtunnel show ${id} → not found`);
      return fail(`The tunnel ${id} does not exist for ${user.username ?? 'this account'}.`, { title: 'Start Tunnel', command: 'teamsBot.startTunnel', cli: `devtunnel create ${id} --allow-anonymous && devtunnel port create ${id} -p ${port}` });
    }
    const ports = info.ports.map((p) => p.portNumber);
    evidence.push(`devtunnel show ${id} → ${info.tunnelId}, ports ${ports.join(', ') || 'none'}, ${info.hostConnections} host connection(s)${info.allowsAnonymous === false ? ', no anonymous access' : ''}`);
    const forwarded = info.ports.find((p) => p.portNumber === port);
    if (!forwarded) {
      const mismatch = config.tunnel?.port !== undefined && config.tunnel.port !== port ? ` (tunnel.port is ${config.tunnel.port}, webhook.port is ${port})` : '';
      return fail(`The tunnel ${id} forwards ${ports.length ? `port ${ports.join(', ')}` : 'no port'}, not the webhook's port ${port}${mismatch}.`, {
        title: 'Start Tunnel', command: 'teamsBot.startTunnel', cli: `devtunnel port create ${id} -p ${port}`,
      });
    }
    const hostedHere = input.hostedTunnel && input.hostedTunnel.id === id && input.hostedTunnel.port === port ? input.hostedTunnel : undefined;
    if (info.hostConnections < 1 && !hostedHere) {
      return fail(`Nobody hosts the tunnel ${id}: its public URL answers nothing until \`devtunnel host\` runs.`, startTunnel);
    }
    if (info.allowsAnonymous === false) {
      return fail(`The tunnel ${id} does not allow anonymous connections, and Teams cannot sign in to a tunnel.`, { title: 'Open Dev Tunnels access docs', cli: `devtunnel access create ${id} --anonymous`, url: 'https://learn.microsoft.com/azure/developer/dev-tunnels/cli-commands#manage-tunnel-access' });
    }
    const publicUrl = hostedHere?.url ?? forwarded.portUri;
    if (!publicUrl) return fail(`devtunnel did not say the public URL of port ${port}.`, startTunnel);
    return { hop: hop('tunnel', 'passed', `The tunnel ${id} is hosted and forwards ${publicUrl} to port ${port}.`, evidence), publicUrl };
  } catch (err) {
    if (err instanceof ToolNotFoundError) {
      evidence.push(err.message);
      return fail('devtunnel is not installed (or teamsBot.devtunnelPath points elsewhere).', { title: 'Install devtunnel', url: 'https://aka.ms/devtunnels/cli', cli: DEVTUNNEL_TOOL.installHint });
    }
    evidence.push((err as Error).message);
    if (err instanceof NotLoggedInError) return fail('devtunnel is not signed in.', { title: 'Sign In to devtunnel', command: 'teamsBot.signInDevtunnel', cli: 'devtunnel user login' });
    return fail(`devtunnel failed: ${(err as Error).message}`, startTunnel);
  }
}

async function checkProbe(
  url: string,
  read: (q: ActivityQuery) => Promise<ActivityRecord[]>,
  timeoutMs: number,
  recordWaitMs: number,
  stateDir: string,
  signal?: AbortSignal,
): Promise<HopResult> {
  const nonce = newProbeNonce();
  const reply: ProbeReply = await sendProbe(url, nonce, { timeoutMs, signal });
  const sent = `POST ${url} with probe ${nonce}`;
  const restartTunnel: HopFix = { title: 'Start Tunnel', command: 'teamsBot.startTunnel' };
  if (reply.kind === 'unreachable') return hop('probe', 'failed', `The public URL did not answer: ${reply.message}.`, [`${sent} → ${reply.code ?? reply.message}`], restartTunnel);
  if (reply.kind === 'other') {
    return hop('probe', 'failed',
      reply.reason
        ? `The public URL reaches a teams-bot-dev webhook, but it answered ${reply.reason}: the tunnel forwards to a webhook with another path.`
        : `The public URL answered HTTP ${reply.status}, but not from the webhook: the tunnel does not reach it (a 502 from the tunnel means nothing listens behind it).`,
      [`${sent} → HTTP ${reply.status}${reply.reason ? ` ${reply.reason}` : ''}${reply.body ? `: ${reply.body}` : ''}`], restartTunnel);
  }
  const answer = reply.answer;
  const evidence = [`${sent} → HTTP ${reply.status}, nonce echoed, source "${answer.source}"${answer.forwardedHost ? `, X-Forwarded-Host ${answer.forwardedHost}` : ''}`];
  if (answer.source !== 'tunnel') {
    return hop('probe', 'failed', `The probe reached the webhook without proxy headers (source "${answer.source}"), so it did not come through the tunnel.`, evidence);
  }
  if (!answer.recorded) {
    evidence.push('the gateway answered but did not record it: more than its per-minute budget of probes arrived');
    return hop('probe', 'passed', 'A request to the public URL arrives at the webhook through the tunnel.', evidence);
  }
  let record: ActivityRecord | undefined;
  try {
    record = await waitForProbeRecord(read, nonce, recordWaitMs);
  } catch (err) {
    // The probe did arrive at a teams-bot-dev webhook; only that it is this state dir's cannot be shown.
    evidence.push(logUnreadable(stateDir, err));
    return hop('probe', 'warning', `A request to the public URL arrives at a teams-bot-dev webhook through the tunnel, but the activity log in ${stateDir} cannot be read to show it is this one.`, evidence);
  }
  if (!record) {
    evidence.push(`no record of probe ${nonce} in ${stateDir}`);
    return hop('probe', 'failed', `The probe was answered, but not by the gateway whose activity log is ${stateDir}: another webhook (another folder, another state dir) is behind the tunnel.`, evidence, { title: 'Restart Webhook', command: 'teamsBot.restartWebhook' });
  }
  evidence.push(`recorded ${record.time} as ${record.reason} (source ${record.source}): ${record.detail ?? ''}`);
  return hop('probe', 'passed', 'A request to the public URL arrives at the webhook through the tunnel.', evidence);
}

async function waitForProbeRecord(read: (q: ActivityQuery) => Promise<ActivityRecord[]>, nonce: string, waitMs: number): Promise<ActivityRecord | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const records = await read({ probes: true, direction: 'inbound', limit: 200 });
    const found = records.find((r) => r.reason === 'probe' && r.detail?.includes(nonce));
    if (found || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function checkEndpoint(teams: TeamsCli, teamsAppId: string, expected: string, signal?: AbortSignal): Promise<HopResult> {
  const update: HopFix = { title: 'Update Teams App Endpoint', command: 'teamsBot.updateEndpoint', cli: `teams app update ${teamsAppId} --endpoint ${expected}` };
  try {
    const app = await teams.appGet(teamsAppId, { signal });
    const evidence = [`teams app get ${teamsAppId} --json → endpoint ${app.endpoint ?? '(none)'}`, `expected ${expected}`];
    if (sameEndpoint(app.endpoint, expected)) return hop('endpoint', 'passed', `The Teams app sends messages to ${expected}.`, evidence);
    return hop('endpoint', 'failed', app.endpoint ? `The Teams app sends messages to ${app.endpoint}, not to this tunnel (${expected}).` : 'The Teams app has no messaging endpoint.', evidence, update);
  } catch (err) {
    const evidence = [(err as Error).message];
    if (err instanceof ToolNotFoundError) return hop('endpoint', 'failed', 'The Teams CLI is not installed, so the registered endpoint cannot be read.', evidence, { title: 'Install the Teams CLI', cli: TEAMS_TOOL.installHint.replace(/^run /, '').replace(/`/g, '') });
    if (err instanceof TeamsCliError && err.isAuthRequired) return hop('endpoint', 'failed', 'The Teams CLI is not signed in, so the registered endpoint cannot be read.', evidence, { title: 'Sign In to Teams', command: 'teamsBot.signInTeams', cli: 'teams login' });
    return hop('endpoint', 'failed', `The Teams CLI could not read the app ${teamsAppId}: ${(err as Error).message}`, evidence, { title: 'Run Teams App Doctor', command: 'teamsBot.runDoctor', cli: `teams app doctor ${teamsAppId}` });
  }
}

async function checkCredentialsHop(
  config: TeamsBotConfig,
  secrets: TeamsBotSecrets,
  env: NodeJS.ProcessEnv,
  check: (input: CredentialCheckInput) => Promise<CredentialCheckResult>,
): Promise<HopResult> {
  if (!config.appId) {
    // Teams always sends a token and always comes through a tunnel: local mode refuses exactly that (not-local).
    return hop('credentials', 'failed', 'No appId is configured: in local mode the webhook refuses everything that comes through a tunnel (not-local), so no Teams message can arrive.', [REASONS['not-local'].text], {
      title: 'Set Up Bot', command: 'teamsBot.setupBot',
    });
  }
  const result = await check({ config, secrets, env });
  if ('skipped' in result) return hop('credentials', 'skipped', result.detail);
  if (result.ok) return hop('credentials', 'passed', `A Bot Framework token was issued to ${result.identity}.`, [result.detail]);
  return hop('credentials', 'failed', result.detail, [...(result.code ? [result.code] : []), result.fix], {
    title: 'Set App Password', command: 'teamsBot.setAppPassword', cli: 'export MSTEAMS_APP_PASSWORD=… (the secret\'s value, not its ID)',
  });
}

/** The bot to check, and where that came from (evidence). */
interface BotToCheck {
  url?: string;
  echo?: boolean;
  from: string;
}

/**
 * Where accepted activities go: the running gateway's own answer (gateway.lock: `serve --bot-url` or
 * `--echo`, F5's bot) when it gives one that is what a gateway writes, else the config's bot.
 */
function botOf(config: TeamsBotConfig, running: LockHolder | undefined): BotToCheck {
  const bot = running?.bot;
  const usable = bot !== null && typeof bot === 'object' && (bot.echo === true || isHttpUrl(bot.url));
  if (!usable) return { url: config.bot.url, echo: config.bot.echo, from: config.bot.echo ? 'bot.echo in the config' : 'bot.url in the config' };
  const differs = (bot.echo === true) !== (config.bot.echo === true) || (!bot.echo && bot.url !== config.bot.url);
  const configSays = config.bot.echo ? 'the echo bot' : config.bot.url ?? 'no bot';
  const from = `the gateway holding the state dir (pid ${running!.pid}), from its ${GATEWAY_LOCK_FILE}${differs ? ` (the config says ${configSays})` : ''}`;
  return bot.echo ? { echo: true, from } : { url: bot.url, from };
}

async function checkBot(bot: BotToCheck, timeoutMs: number): Promise<HopResult> {
  const source = `bot: ${bot.from}`;
  if (bot.echo) return hop('bot', 'passed', 'The built-in echo bot answers (bot.echo is on).', [source]);
  if (!bot.url) {
    return hop('bot', 'failed', 'Neither bot.url nor bot.echo is set: accepted messages have nowhere to go (no-bot).', [REASONS['no-bot'].text], { title: 'Open Config', command: 'teamsBot.editConfig', args: [['bot', 'url']] });
  }
  const url = new URL(bot.url);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const result = await connect(host, port, Math.min(timeoutMs, 5000));
  const evidence = [source, `connect ${host}:${port} → ${result.ok ? 'accepted' : result.code}`];
  if (result.ok) return hop('bot', 'passed', `The bot at ${bot.url} accepts connections.`, evidence);
  return hop('bot', 'failed', result.code === 'ECONNREFUSED' ? `Nothing listens at ${bot.url}: start your bot.` : `The bot at ${bot.url} cannot be reached: ${result.message}.`, evidence, {
    title: 'Start Debugging', command: 'teamsBot.startDebugging',
  });
}

function connect(host: string, port: number, timeoutMs: number): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, code: 'ETIMEDOUT', message: `no answer within ${formatSeconds(timeoutMs)}` });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? 'error', message: err.message }));
  });
}

async function checkLastActivity(read: (q: ActivityQuery) => Promise<ActivityRecord[]>, now: Date, stateDir: string): Promise<HopResult> {
  let records: ActivityRecord[];
  try {
    records = await read({ direction: 'inbound', limit: 500 });
  } catch (err) {
    return hop('last-activity', 'failed', `The activity log in ${stateDir} cannot be read, so what arrived from Teams is not known: make it readable (or point --state-dir / teamsBot.stateDir at the gateway's).`, [logUnreadable(stateDir, err)]);
  }
  const last = records.find((r) => FROM_TEAMS.has(r.source));
  if (!last) {
    const local = records.length ? ` (${records.length} from this machine: simulator, playground or curl)` : '';
    return hop('last-activity', 'warning', `Nothing has arrived from Teams yet${local}: send the bot a message in Teams, and install the app if it is not.`, [], { title: 'Open Install Link', command: 'teamsBot.openInstallLink' });
  }
  const who = last.summary.senderName ?? last.summary.senderId;
  const what = `${last.summary.type ?? 'request'}${who ? ` from ${who}` : ''}`;
  const when = `${ago(last.time, now.getTime())} (${last.time})`;
  const evidence = [`${when}: ${what} → ${last.fate} (${last.reason}), HTTP ${last.status}`, ...(last.detail ? [last.detail] : [])];
  // The record's head, not its body: enough for the activity document to find and title it, small enough for a command: link.
  const { id, time, direction, source, status: httpStatus, fate, reason, summary } = last;
  const showRecord: HopFix = { title: 'Show Activity', command: 'teamsBot.showActivity', args: [{ id, time, direction, source, status: httpStatus, fate, reason, summary }] };
  if (last.fate === 'delivered') return hop('last-activity', 'passed', `The last ${what} was delivered ${ago(last.time, now.getTime())}.`, evidence, showRecord);
  const text = REASONS[last.reason]?.text ?? last.reason;
  const status: HopStatus = last.fate === 'dropped' ? 'warning' : 'failed';
  return hop('last-activity', status, `The last ${what} was ${last.fate} ${ago(last.time, now.getTime())}: ${text}`, evidence, showRecord);
}
