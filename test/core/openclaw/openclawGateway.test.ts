import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenClawCli } from '../../../src/core/openclaw/openclawCli';
import { OpenClawPairings } from '../../../src/core/openclaw/openclawPairings';
import { ensureMsteamsGatewayState, ensureOpenClawInstalled, openclawEnv, type OpenClawInstall } from '../../support/openclawInstall';

/**
 * Approval through the real, running OpenClaw gateway with the real msteams
 * plugin: the only path on which the sender is told. Offline: the plugin's
 * own private-QA mode (what its QA adapter uses) skips the Bot Framework JWT
 * check, binds the webhook to 127.0.0.1 and sends every outbound Teams call
 * to our stand-in Bot Connector here, which records the approval notice.
 */
const BOT_TOKEN =
  'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhcHBpZCI6IjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMSIsImp0aSI6ImoxIiwidGlkIjoiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAyIn0.qa';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('OpenClaw companion with the real gateway and msteams plugin (offline, QA mode)', function () {
  this.timeout(15 * 60_000); // a hang guard: the gateway takes 20–60 s to start, each CLI call seconds

  let install: OpenClawInstall;
  let root: string;
  let stateDir: string;
  let gateway: ChildProcess | undefined;
  let gatewayLog = '';
  let connector: http.Server;
  const sent: { url: string; body: { text?: string } }[] = [];
  let webhookPort: number;
  let pairings: OpenClawPairings;

  async function postDm(sender: { aadObjectId: string; name: string }): Promise<void> {
    const body = {
      type: 'message', id: randomUUID(), timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/amer/',
      from: { id: `29:${sender.aadObjectId}`, aadObjectId: sender.aadObjectId, name: sender.name },
      recipient: { id: '28:00000000-0000-0000-0000-000000000001', name: 'OpenClaw' },
      conversation: { id: `a:conv-${sender.aadObjectId}`, conversationType: 'personal', tenantId: '00000000-0000-0000-0000-000000000002' },
      channelData: { tenant: { id: '00000000-0000-0000-0000-000000000002' } },
      text: 'hello',
    };
    const res = await fetch(`http://127.0.0.1:${webhookPort}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-real-jwt' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.text());
  }

  before(async function () {
    this.timeout(30 * 60_000);
    install = await ensureOpenClawInstalled();
    stateDir = await ensureMsteamsGatewayState(install);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-gw-'));
    connector = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        try {
          sent.push({ url: req.url ?? '', body: JSON.parse(raw) as { text?: string } });
        } catch {
          sent.push({ url: req.url ?? '', body: {} });
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: `fake-${sent.length}` }));
      });
    });
    await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
    const connectorPort = (connector.address() as AddressInfo).port;
    const [gatewayPort, hookPort] = [await freePort(), await freePort()];
    webhookPort = hookPort;
    const configPath = path.join(stateDir, 'openclaw.json');
    const config = fs.existsSync(configPath) ? fs.readFileSync(configPath, 'utf8') : '{}';
    // Keep what the plugin install wrote (plugins.entries); set the ports and the msteams channel for this run.
    const json = JSON.parse(config) as Record<string, unknown>;
    json.gateway = { port: gatewayPort, auth: { mode: 'token', token: 't0k3n' } };
    json.channels = {
      msteams: {
        enabled: true, appId: '00000000-0000-0000-0000-000000000001', appPassword: 'dummy-secret',
        tenantId: '00000000-0000-0000-0000-000000000002', dmPolicy: 'pairing', webhook: { port: webhookPort, path: '/api/messages' },
      },
    };
    fs.writeFileSync(configPath, `${JSON.stringify(json, null, 2)}\n`);
    const bootstrap = path.join(root, 'qa-bootstrap.mjs');
    fs.writeFileSync(
      bootstrap,
      `globalThis[Symbol.for('openclaw.msteams.privateQaRuntime')] = ${JSON.stringify({ connectorUrl: `http://127.0.0.1:${connectorPort}/`, nonce: 'n0nce', botToken: BOT_TOKEN })};\n`,
    );
    const env = { ...openclawEnv(root, stateDir), OPENCLAW_BUILD_PRIVATE_QA: '1', NODE_OPTIONS: `--import=file://${bootstrap}` };
    gateway = spawn(install.wrapper, ['gateway', 'run', '--allow-unconfigured', '--bind', 'loopback', '--port', String(gatewayPort), '--auth', 'token', '--token', 't0k3n'], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        gatewayLog += d.toString();
        if (/\[gateway\] ready/.test(gatewayLog) && /\[msteams\] starting provider/.test(gatewayLog)) resolve();
      };
      gateway!.stdout!.on('data', onData);
      gateway!.stderr!.on('data', onData);
      gateway!.on('exit', (code) => reject(new Error(`the gateway exited (${code}):\n${gatewayLog.slice(-3000)}`)));
    });
    const cli = new OpenClawCli({ executable: install.wrapper, env: openclawEnv(root, stateDir) });
    pairings = new OpenClawPairings({ cli, accountId: 'default' });
  });

  after(() => {
    if (gateway?.pid) {
      try {
        process.kill(-gateway.pid, 'SIGKILL'); // its whole process group (spawn broker, workers)
      } catch {
        /* already gone */
      }
    }
    connector?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('Approve goes through the gateway and the sender gets OpenClaw\'s notice in Teams', async () => {
    const erin = { aadObjectId: randomUUID(), name: 'Erin Unauth' };
    await postDm(erin);
    await pairings.refresh();
    const request = pairings.requests.find((r) => r.senderId === erin.aadObjectId);
    assert.ok(request, `no request for Erin: ${JSON.stringify(pairings.requests)} ${pairings.lastError?.message ?? ''}`);
    assert.equal(request.name, 'Erin Unauth');

    let asked = 0;
    const outcome = await pairings.approve(request, { beforeCliApproval: async () => ++asked > 0 });
    assert.deepEqual([outcome.via, outcome.notified, outcome.senderId, outcome.configRewritten], ['gateway', true, erin.aadObjectId, false]);
    assert.equal(asked, 0, 'the gateway path never rewrites openclaw.json, so nothing is asked');
    assert.equal(outcome.message, `Approved Erin Unauth (${erin.aadObjectId}). OpenClaw told them in Teams that they can message the bot now.`);
    const notice = sent.find((s) => s.url.includes(`/v3/conversations/a:conv-${erin.aadObjectId}/activities`));
    assert.ok(notice, `the connector got: ${JSON.stringify(sent.map((s) => s.url))}`);
    assert.match(notice.body.text ?? '', /OpenClaw access approved/);
    assert.equal(pairings.requests.some((r) => r.senderId === erin.aadObjectId), false, 'the request is gone');
  });

  it('Reject dismisses the request through the gateway', async () => {
    const finn = { aadObjectId: randomUUID(), name: 'Finn QA' };
    await postDm(finn);
    await pairings.refresh();
    const request = pairings.requests.find((r) => r.senderId === finn.aadObjectId);
    assert.ok(request);
    await pairings.reject(request);
    assert.equal(pairings.requests.some((r) => r.senderId === finn.aadObjectId), false);
  });
});
