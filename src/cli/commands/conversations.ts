import * as path from 'node:path';
import { readConversations, conversationLabel, CONVERSATIONS_FILE, type ConversationReferenceEntry } from '../../core/conversations/conversationStore';
import { proactiveMessage } from '../../core/conversations/proactiveMessage';
import { baseConversationId } from '../../core/config/allowlistEntry';
import { ActivityLog, ACTIVITY_FILE } from '../../core/activity/activityLog';
import { loadConfigFile, requireValidConfig } from '../../core/config/configLoader';
import { createConnectorSender } from '../../core/gateway/teamsConnection';
import { sendAndRecord } from '../../core/gateway/pipeline';
import { StateDirInUseError, StateDirLock } from '../../core/gateway/stateDirLock';
import { silentLogger, type Logger } from '../../core/logger';
import { ago } from '../../core/timeAgo';
import { oneLine } from '../../core/displayText';
import { formatSeconds } from '../../core/process/processErrors';
import { resolveCommon, type CommonOptions } from '../options';
import { table } from '../table';
import { UserError } from '../cliError';

const KIND_TEXT: Record<ConversationReferenceEntry['kind'], string> = { personal: 'personal', groupChat: 'group chat', channel: 'channel' };

/** The conversations the gateway has stored (conversations.json), most recently active first. Reads only: creates nothing. */
export async function conversations(opts: CommonOptions & { json?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const { stateDir } = resolveCommon(opts);
  const list = await read(stateDir);
  if (opts.json) {
    out.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) {
    out.write(`No conversations stored in ${stateDir} yet: the gateway keeps one for each chat, group chat or channel it receives a message from.\n`);
    return 0;
  }
  out.write(table(['KIND', 'WHO', 'CONVERSATION ID', 'LAST ACTIVITY'], list.map((c) => [
    `${KIND_TEXT[c.kind]}${c.simulated ? ' (simulated)' : ''}`, conversationLabel(c), c.id, ago(c.lastActivityAt),
  ])));
  return 0;
}

/**
 * Sends a proactive message as the bot, with the config's credentials, through
 * the gateway's own send (serviceUrl allowlist, token, explained failures).
 *
 * Recording: while no gateway holds the state dir, this command takes it for
 * the send and records the message in activities.jsonl like the gateway would.
 * While one does (`serve`, or the webhook in VS Code), the log is that
 * gateway's alone: two writers would interleave and rotate activities.jsonl
 * under each other. The message is still sent, and the output says it is
 * not in the log.
 */
export async function send(conversationId: string, text: string, opts: CommonOptions, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  // Teams refuses an empty message with a 400 that says less than this (an unset shell variable, say).
  if (!text.trim()) throw new UserError('The message is empty: give the text to send, e.g. teams-bot-dev send CONVERSATION_ID "Deploy finished".');
  const list = await read(stateDir);
  const entry = list.find((c) => c.id === conversationId) ?? list.find((c) => c.id === baseConversationId(conversationId));
  if (!entry) {
    throw new UserError(`No stored conversation ${conversationId} in ${path.join(stateDir, CONVERSATIONS_FILE)}: \`teams-bot-dev conversations\` lists the ones the gateway has received a message from.`);
  }
  if (entry.simulated) {
    throw new UserError(`${conversationId} is a simulated conversation: its messages go to the simulator of a running webhook. Use Send Message as Bot… in VS Code while the webhook runs.`);
  }
  const loaded = await loadConfigFile(configFile);
  let config;
  try {
    config = requireValidConfig(loaded);
  } catch (err) {
    throw new UserError(`${(err as Error).message.replace(/\.$/, '')}: fix it first (\`teams-bot-dev config validate\`).`);
  }

  const recording = await takeLog(stateDir, logger);
  try {
    const { target, activity } = proactiveMessage(entry, text);
    // The result is printed below, explained; the client's and the gateway's own log lines would say it again.
    const { result } = await sendAndRecord({ sender: createConnectorSender(config, loaded.secrets, silentLogger), activities: recording.log, logger: silentLogger }, target, activity, 'proactive message');
    // Names and ids came from Teams requests: one line, control characters shown.
    const to = oneLine(`${conversationLabel(entry)} (${KIND_TEXT[entry.kind]} ${entry.id})`);
    if (result.ok) out.write(`Sent to ${to} as the bot: HTTP ${result.status}${result.id ? `, message id ${result.id}` : ''}.\n`);
    out.write(`${recording.note}\n`);
    if (!result.ok) throw new UserError(`Not sent to ${to} (${result.reason}): ${result.detail}`);
    return 0;
  } finally {
    await recording.release();
  }
}

async function read(stateDir: string): Promise<ConversationReferenceEntry[]> {
  try {
    return await readConversations(stateDir);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

/** How long a send waits for the state dir while another send (or a gateway that is not listening yet) holds it. */
const SEND_LOCK_WAIT_MS = 10_000;

/**
 * The state dir for this send. Another `send` holds it only for its own send (its lock names no port): wait
 * for it, so concurrent sends are each recorded, once. A gateway (its lock names the port it listens on, or
 * is about to) keeps it: that is answered at once.
 */
async function acquireWhenFree(stateDir: string): Promise<StateDirLock> {
  const deadline = Date.now() + SEND_LOCK_WAIT_MS;
  for (;;) {
    try {
      return await StateDirLock.acquire(stateDir);
    } catch (err) {
      // ELOCKED: gateway.lock's own mutex, held by another process for its read and write.
      const passing = (err instanceof StateDirInUseError && !err.holder.port && !err.holder.url) || (err as NodeJS.ErrnoException).code === 'ELOCKED';
      if (!passing || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The state dir's activity log when no gateway holds it; an in-memory one (and why) otherwise. */
async function takeLog(stateDir: string, logger: Logger): Promise<{ log: ActivityLog; note: string; release(): Promise<void> }> {
  const file = path.join(stateDir, ACTIVITY_FILE);
  let lock: StateDirLock;
  try {
    lock = await acquireWhenFree(stateDir);
  } catch (err) {
    const why = err instanceof StateDirInUseError
      ? err.holder.port || err.holder.url
        ? `the gateway running as pid ${err.pid}${err.port ? ` on port ${err.port}` : ''} owns ${file}, and a second writer would interleave it; Send Message as Bot… in VS Code, or the webhook's own sends, are recorded there`
        : `another teams-bot-dev process (pid ${err.pid}) still held ${stateDir} after ${formatSeconds(SEND_LOCK_WAIT_MS)}`
      : `${stateDir} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    return { log: new ActivityLog(), note: `Not recorded in the activity log: ${why}.`, release: async () => undefined };
  }
  const log = new ActivityLog({ dir: stateDir, logger });
  await log.load();
  return {
    log,
    note: `Recorded in ${file}.`,
    release: async () => {
      await log.close();
      await lock.release();
    },
  };
}
