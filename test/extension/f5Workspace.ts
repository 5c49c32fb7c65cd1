/**
 * The set-up sample workspace F5 runs in, for the F5 suite
 * (test/extension/runF5InVsCode.ts) and the F5 time-to-ready bench
 * (bench/lib/f5.ts): teams-bot.config.json (free webhook port, tunnel.id,
 * teamsAppId, appId, one allowlisted sender), a `.vscode/launch.json` with
 * `teams-bot` configurations, an index.js that runs the real
 * @microsoft/teams.apps echo bot (test/fixtures/sampleBot/echoBot.js) and a
 * crash.js that dies on start. The stand-in `devtunnel` and `teams`
 * (test/fixtures/bin) are named by the folder's teamsBot.devtunnelPath/
 * teamsCliPath settings (and come first on PATH), with their state files and
 * call logs in a side directory ("aux") the suite reads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../vscode-host/vscodeServer';

const repo = path.resolve(__dirname, '..', '..');
const BIN = path.join(repo, 'test', 'fixtures', 'bin');
const ECHO_BOT = path.join(repo, 'test', 'fixtures', 'sampleBot', 'echoBot.js');

// The stand-in `teams` answers app create with these ids by default; Set Up Bot would write them.
const TEAMS_APP_ID = '0e6c1f5a-2b7d-4c3e-9a8f-1d2e3f4a5b6c';
const APP_ID = '3a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const TUNNEL_ID = 'f5-sample-bot';
// The sender every test messages from; in allowFrom, so personal chats are delivered as dm-allowlisted.
const ALICE_AAD = 'aaaaaaaa-1111-4111-8111-00000000a11c';

const INDEX_JS = `// Sample bot for F5. It records the environment F5 gave it, then runs the real
// @microsoft/teams.apps echo bot. CLIENT_ID, CLIENT_SECRET and TENANT_ID are
// removed first: with them the SDK validates tokens against, and fetches reply
// tokens from, Microsoft's cloud, which a test machine cannot reach.
const fs = require('node:fs');
const file = process.env.TEAMS_BOT_DEV_F5_BOT_ENV;
if (file) {
  // The secret itself is never written out: its hash proves the bot got it byte for byte.
  const secretSha256 = process.env.CLIENT_SECRET ? require('node:crypto').createHash('sha256').update(process.env.CLIENT_SECRET).digest('hex') : undefined;
  const seen = { pid: process.pid, PORT: process.env.PORT, CLIENT_ID: process.env.CLIENT_ID, TENANT_ID: process.env.TENANT_ID, hasClientSecret: Boolean(process.env.CLIENT_SECRET), secretSha256 };
  fs.writeFileSync(file + '.tmp', JSON.stringify(seen));
  fs.renameSync(file + '.tmp', file);
}
// When the bot's server starts listening on PORT (Date.now()): the end of F5 time-to-ready in \`npm run bench\`.
const listeningFile = process.env.TEAMS_BOT_DEV_F5_BOT_LISTENING;
if (listeningFile) {
  const net = require('node:net');
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    this.once('listening', () => {
      const at = Date.now();
      const address = this.address();
      if (!address || typeof address !== 'object' || String(address.port) !== process.env.PORT) return;
      fs.writeFileSync(listeningFile + '.tmp', JSON.stringify({ pid: process.pid, port: address.port, at }));
      fs.renameSync(listeningFile + '.tmp', listeningFile);
    });
    return listen.apply(this, args);
  };
}
for (const name of ['CLIENT_ID', 'CLIENT_SECRET', 'TENANT_ID']) delete process.env[name];
require(${JSON.stringify(ECHO_BOT)});
`;

const CRASH_JS = `// A bot that dies on start, as a bot with a typo in its startup code does.
throw new Error('the sample bot crashed on start');
`;

export interface F5Workspace {
  /** The folder VS Code opens. */
  workspace: string;
  /** The stand-ins' state files and call logs, the initial config, the bot's records. */
  aux: string;
  webhookPort: number;
  botPort: number;
  /** Where the sample bot writes `{ pid, port, at }` when it listens on its port. */
  botListeningFile: string;
  /** For code-server, and so for the extension host and the CLIs it spawns. */
  env: Record<string, string | undefined>;
  /** User settings for the host. */
  settings: Record<string, unknown>;
  /** Deletes the workspace and the aux directory. */
  dispose(): void;
}

export async function prepareF5Workspace(): Promise<F5Workspace> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tbd-f5-ws-'));
  const aux = fs.mkdtempSync(path.join(os.tmpdir(), 'tbd-f5-aux-'));
  const dispose = () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(aux, { recursive: true, force: true });
  };
  try {
    const webhookPort = await freePort();
    let botPort = await freePort();
    while (botPort === webhookPort) botPort = await freePort();

    const config = {
      appId: APP_ID,
      teamsAppId: TEAMS_APP_ID,
      tunnel: { id: TUNNEL_ID },
      webhook: { port: webhookPort },
      dmPolicy: 'pairing',
      allowFrom: [ALICE_AAD],
    };
    write(path.join(workspace, 'teams-bot.config.json'), `${JSON.stringify(config, null, 2)}\n`);
    write(path.join(aux, 'config.initial.json'), `${JSON.stringify(config, null, 2)}\n`);
    write(path.join(workspace, 'index.js'), INDEX_JS);
    write(path.join(workspace, 'crash.js'), CRASH_JS);
    const botEnvFile = path.join(aux, 'bot-env.json');
    const botListeningFile = path.join(aux, 'bot-listening.json');
    const launch = {
      version: '0.2.0',
      // The first is the one F5 (workbench.action.debug.start) starts in a fresh profile.
      configurations: [
        { type: 'teams-bot', request: 'launch', name: 'Teams Bot', program: '${workspaceFolder}/index.js', botPort, env: { TEAMS_BOT_DEV_F5_BOT_ENV: botEnvFile, TEAMS_BOT_DEV_F5_BOT_LISTENING: botListeningFile } },
        { type: 'teams-bot', request: 'launch', name: 'Teams Bot (crashes on start)', program: '${workspaceFolder}/crash.js', botPort },
      ],
    };
    write(path.join(workspace, '.vscode', 'launch.json'), `${JSON.stringify(launch, null, 2)}\n`);
    // Folder settings: both are machine-overridable, and a remote window (code-server) ignores
    // machine-scoped values in the user's settings.
    const settings = { 'teamsBot.devtunnelPath': path.join(BIN, 'devtunnel'), 'teamsBot.teamsCliPath': path.join(BIN, 'teams') };
    write(path.join(workspace, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);

    // A set-up folder: the tunnel exists with the webhook's port; the Teams app still points at an old tunnel URL.
    const devtunnelState = { loggedIn: true, tunnels: { [TUNNEL_ID]: { anonymous: true, ports: [{ portNumber: webhookPort, protocol: 'auto' }] } } };
    const teamsState = {
      loggedIn: true,
      apps: {
        [TEAMS_APP_ID]: {
          name: 'f5-sample',
          botId: APP_ID,
          endpoint: `https://${TUNNEL_ID}-old.euw.devtunnels.ms/api/messages`,
          validDomains: [`${TUNNEL_ID}-old.euw.devtunnels.ms`, '*.botframework.com'],
          version: '1.0.0',
        },
      },
    };
    for (const [name, value] of [['devtunnel-state', devtunnelState], ['teams-state', teamsState]] as const) {
      write(path.join(aux, `${name}.json`), JSON.stringify(value, null, 2));
      write(path.join(aux, `${name}.initial.json`), JSON.stringify(value, null, 2));
    }

    return {
      workspace,
      aux,
      webhookPort,
      botPort,
      botListeningFile,
      dispose,
      env: {
        // For the electron host; code-server's extension host takes PATH from a login shell
        // instead, which is why the folder settings name the stand-ins as well.
        PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
        FAKE_DEVTUNNEL_STATE: path.join(aux, 'devtunnel-state.json'),
        FAKE_DEVTUNNEL_LOG: path.join(aux, 'devtunnel-log.jsonl'),
        FAKE_DEVTUNNEL_SCENARIO: undefined,
        FAKE_DEVTUNNEL_URL: undefined,
        FAKE_TEAMS_STATE: path.join(aux, 'teams-state.json'),
        FAKE_TEAMS_LOG: path.join(aux, 'teams-log.jsonl'),
        FAKE_TEAMS_SCENARIO: undefined,
        FAKE_TEAMS_APP_ID: TEAMS_APP_ID,
        FAKE_TEAMS_BOT_ID: APP_ID,
        // The suite's own facts about the workspace.
        TEAMS_BOT_DEV_F5_AUX: aux,
        TEAMS_BOT_DEV_F5_BIN: BIN,
        TEAMS_BOT_DEV_F5_WEBHOOK_PORT: String(webhookPort),
        TEAMS_BOT_DEV_F5_BOT_PORT: String(botPort),
        TEAMS_BOT_DEV_F5_BOT_ENV: botEnvFile,
        TEAMS_BOT_DEV_F5_BOT_LISTENING: botListeningFile,
        TEAMS_BOT_DEV_F5_TUNNEL_ID: TUNNEL_ID,
        TEAMS_BOT_DEV_F5_TEAMS_APP_ID: TEAMS_APP_ID,
        TEAMS_BOT_DEV_F5_APP_ID: APP_ID,
        TEAMS_BOT_DEV_F5_ALLOWED_AAD: ALICE_AAD,
        // The developer's own credentials must not leak into the run.
        MSTEAMS_APP_ID: undefined,
        MSTEAMS_APP_PASSWORD: undefined,
        MSTEAMS_TENANT_ID: undefined,
      },
      settings: {
        'teamsBot.notifications': 'errors',
        'debug.internalConsoleOptions': 'neverOpen',
        'debug.openDebug': 'neverOpen',
      },
    };
  } catch (err) {
    dispose();
    throw err;
  }
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
