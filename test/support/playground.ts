/**
 * Drives Microsoft 365 Agents Playground (@microsoft/m365agentsplayground)
 * offline, as a Teams-like client nobody on this project wrote. Facts it
 * relies on (observed with 0.2.28):
 * - `agentsplayground start -p PORT -e ENDPOINT` with TEAMSAPPTESTER_BROWSER=none
 *   and APPLICATION_INSIGHTS_NO_STATSBEAT=1 runs without a browser or the internet;
 * - it reads ./.m365agentsplayground.yml from its working directory (ours is
 *   test/fixtures/playground/agents-playground.yml);
 * - GET /_internal/v1/config answers once the bot endpoint answered a HEAD;
 * - user messages: POST /_conversation/v1/conversations/{id}/messages;
 * - any activity as-is: POST /_internal/v1/customActivities (templates at
 *   GET /_internal/v1/customActivities/template?conversationId=…&type=…);
 * - what the bot sends arrives on the WebSocket
 *   /_ws_conversation/v1/conversations/stream as { action, actionConversationId, message }.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';
import { childEnv, REPO_ROOT, spawnLines, waitFor, type LineProcess } from './cli';

export const PLAYGROUND_CLI = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
/** The Playground config the suite runs with: in the repository, so a plain clone has it. */
export const PLAYGROUND_CONFIG_YML = path.join(REPO_ROOT, 'test', 'fixtures', 'playground', 'agents-playground.yml');

/** What the config file defines (kept in step with agents-playground.yml, checked at start). */
export const PG = {
  bot: { id: '28:my-bot-app-id', name: 'GatewayBot' },
  carol: { id: '29:carol', name: 'Carol Tester', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000c0c0' },
  dave: { id: '29:dave', name: 'Dave Other', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000dddd' },
  personalChatId: 'a:personal-carol',
  groupChatId: '19:groupchat@thread.v2',
} as const;

/** One push on the conversation stream. */
export interface StreamEvent {
  action: string;
  actionConversationId?: string;
  message?: { messageId?: string; from?: { id?: string }; text?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Playground {
  readonly port: number;
  readonly baseUrl: string;
  readonly process: LineProcess;
  /** Every message pushed on the stream since connect(), in order. */
  readonly events: StreamEvent[];
  connect(): Promise<void>;
  /** Resolves with the first createMessage (seen or future) that matches. */
  waitForMessage(pred: (e: StreamEvent) => boolean, what: string, timeoutMs?: number): Promise<StreamEvent>;
  createMessages(): StreamEvent[];
  config(): Promise<any>;
  /** The current user sends a message (from is always replaced by currentUser). */
  sendMessage(conversationId: string, text: string, opts?: { mentionBot?: boolean }): Promise<{ status: number; body: any }>;
  template(conversationId: string, type: string): Promise<Record<string, any>>;
  sendCustomActivity(activity: Record<string, unknown>): Promise<{ status: number; text: string }>;
  stop(): Promise<void>;
}

export interface PlaygroundOptions {
  /** The bot endpoint the Playground talks to (here: the gateway). */
  endpoint: string;
  /** A working directory of the test's own; the config file is copied into it. */
  cwd: string;
  /** Asked for; the Playground takes a random one if it is busy, so the real one is read from its output. */
  port: number;
  timeoutMs?: number;
}

export async function startPlayground(opts: PlaygroundOptions): Promise<Playground> {
  if (!existsSync(PLAYGROUND_CLI)) {
    throw new Error(`${PLAYGROUND_CLI} is missing: run \`npm ci\` (it is a devDependency, @microsoft/m365agentsplayground).`);
  }
  await fs.copyFile(PLAYGROUND_CONFIG_YML, path.join(opts.cwd, '.m365agentsplayground.yml'));
  await fs.chmod(path.join(opts.cwd, '.m365agentsplayground.yml'), 0o644);

  const env = childEnv({ TEAMSAPPTESTER_BROWSER: 'none', APPLICATION_INSIGHTS_NO_STATSBEAT: '1' });
  delete env.M365_AGENTS_PLAYGROUND_CONFIG_PATH;
  const proc = spawnLines('playground', process.execPath, [PLAYGROUND_CLI, 'start', '--disable-telemetry', '-p', String(opts.port), '-e', opts.endpoint], { cwd: opts.cwd, env });
  const timeoutMs = opts.timeoutMs ?? 30_000;

  let socket: WebSocket | undefined;
  const events: StreamEvent[] = [];
  const eventWaiters = new Set<() => void>();

  try {
    const listening = await proc.waitForLine(/^Listening on (\d+)$/, timeoutMs);
    const port = Number(/(\d+)$/.exec(listening.raw)![1]);
    const baseUrl = `http://127.0.0.1:${port}`;
    // It answers /config only after the bot endpoint answered; an invalid config file makes it exit after "Listening on".
    await waitFor(async () => {
      if (!proc.alive) throw new Error(`the Playground exited before answering ${baseUrl}/_internal/v1/config (see ${opts.cwd}/devTools/m365agentsplayground.log)\n${proc.output()}`);
      try {
        const res = await fetch(`${baseUrl}/_internal/v1/config`, { signal: AbortSignal.timeout(20_000) });
        return res.status === 200;
      } catch {
        return false;
      }
    }, `${baseUrl}/_internal/v1/config`, timeoutMs, 200);

    const pg: Playground = {
      port,
      baseUrl,
      process: proc,
      events,
      async connect() {
        socket = new WebSocket(`ws://127.0.0.1:${port}/_ws_conversation/v1/conversations/stream`);
        socket.on('message', (data) => {
          let parsed: StreamEvent;
          try {
            parsed = JSON.parse(data.toString()) as StreamEvent;
          } catch {
            return;
          }
          events.push(parsed);
          for (const w of [...eventWaiters]) w();
        });
        await new Promise<void>((resolve, reject) => {
          socket!.once('open', () => resolve());
          socket!.once('error', reject);
        });
        // Later socket errors surface as missing messages in waitForMessage, with what did arrive.
        socket.on('error', () => undefined);
      },
      createMessages() {
        return events.filter((e) => e.action === 'createMessage');
      },
      waitForMessage(pred, what, waitMs = 20_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            const found = pg.createMessages().find(pred);
            if (found) {
              done();
              resolve(found);
            }
          };
          const timer = setTimeout(() => {
            done();
            reject(new Error(`timed out after ${waitMs} ms waiting for ${what} on the Playground stream; got:\n${JSON.stringify(pg.createMessages().map((e) => [e.actionConversationId, e.message?.text]), null, 1)}`));
          }, waitMs);
          const done = () => {
            clearTimeout(timer);
            eventWaiters.delete(check);
          };
          eventWaiters.add(check);
          check();
        });
      },
      async config() {
        const res = await fetch(`${baseUrl}/_internal/v1/config`);
        return res.json();
      },
      async sendMessage(conversationId, text, o = {}) {
        const body: Record<string, unknown> = { from: { id: PG.carol.id }, text, textFormat: 'plain' };
        if (o.mentionBot) body.mentions = [{ mentioned: { id: PG.bot.id, name: PG.bot.name }, text: `<at>${PG.bot.name}</at>` }];
        const res = await fetch(`${baseUrl}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const raw = await res.text();
        let parsed: unknown = raw;
        try {
          parsed = JSON.parse(raw);
        } catch {
          /* keep text */
        }
        return { status: res.status, body: parsed };
      },
      async template(conversationId, type) {
        const res = await fetch(`${baseUrl}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}&type=${encodeURIComponent(type)}`);
        if (res.status !== 200) throw new Error(`template ${type} for ${conversationId}: HTTP ${res.status} ${await res.text()}`);
        return (await res.json()) as Record<string, any>;
      },
      async sendCustomActivity(activity) {
        const res = await fetch(`${baseUrl}/_internal/v1/customActivities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity),
        });
        return { status: res.status, text: await res.text() };
      },
      async stop() {
        if (socket) {
          socket.removeAllListeners('message');
          socket.terminate();
        }
        await proc.stop();
      },
    };
    return pg;
  } catch (err) {
    socket?.terminate();
    await proc.stop();
    throw err;
  }
}
