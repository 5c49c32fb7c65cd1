/**
 * Pairing approvals through the real CLI (dist/cli.js) as separate processes:
 * a read-only state dir (issue 8 §2), two processes approving one code at
 * once (§4), approvals that open DMs only with promote and revoke (issue 10),
 * and `serve` surviving a config edit it cannot read (§2).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { PairingStore } from '../../src/core/pairing/pairingStore';
import type { PairingRequest } from '../../src/core/pairing/pairingRequest';
import { personalMessage } from '../support/gatewayHarness';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector';
import { CLI_JS, LineProcess, childEnv, makeTempDir, postJson, requireBuiltCli, runCli, startServe, waitFor, type CliResult } from '../support/cli';

const CAROL = { id: '29:carol', name: 'Carol Tester', aadObjectId: 'aaaaaaaa-0000-4000-8000-00000000c0c0' };
const FRIEND = { id: '29:friend', name: 'Friend', aadObjectId: 'aaaaaaaa-0000-4000-8000-00000000f00d' };
const NOBODY = 65534;

/** Runs the CLI as an unprivileged user, so file permissions apply (root ignores them). */
function runCliAs(uid: number, args: string[]): Promise<CliResult> {
  requireBuiltCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: '/', env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], uid, gid: uid });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function groupMessage(from: typeof CAROL, text: string, serviceUrl: string): Record<string, unknown> {
  return personalMessage(from, text, serviceUrl, { conversation: { id: '19:team-chat@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: 'tenant-1' } });
}

describe('CLI pairing approvals (dist/cli.js)', function () {
  this.timeout(60_000);
  let dir: string;
  let configFile: string;
  let stateDir: string;
  let connector: FakeConnector;
  const running: LineProcess[] = [];
  const common = () => ['--config', configFile, '--state-dir', stateDir];

  before(() => requireBuiltCli());
  beforeEach(async () => {
    dir = await makeTempDir('tbd-approvals-');
    configFile = path.join(dir, 'teams-bot.config.json');
    stateDir = path.join(dir, '.teams-bot');
    connector = await startFakeConnector();
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.stop();
    await connector.stop();
    await fs.chmod(stateDir, 0o755).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function seed(): Promise<PairingRequest> {
    const store = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20 });
    const r = await store.touch({ id: CAROL.id, meta: { name: CAROL.name, aadObjectId: CAROL.aadObjectId, conversationId: `a:personal-${CAROL.id}`, serviceUrl: connector.serviceUrl, botId: '28:bot' } });
    store.close();
    assert.ok(r.kind === 'created');
    return r.request;
  }

  it('approve with a state dir it cannot write: exit 1, one sentence saying what to do, and nothing half done', async () => {
    await fs.writeFile(configFile, '// mine\n{ "dmPolicy": "pairing" }\n');
    const carol = await seed();
    const pairingBefore = await fs.readFile(path.join(stateDir, 'pairing.json'), 'utf8');
    const configBefore = await fs.readFile(configFile, 'utf8');
    // Readable for everyone, writable for its owner (root) only.
    await fs.chmod(dir, 0o755);
    await fs.chmod(path.join(stateDir, 'pairing.json'), 0o644);
    await fs.chmod(stateDir, 0o555);
    const asRoot = process.getuid?.() === 0;
    const res = asRoot ? await runCliAs(NOBODY, ['pairing', 'approve', carol.code, ...common()]) : await runCli(['pairing', 'approve', carol.code, ...common()]);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const lines = res.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one sentence, no stack trace:\n${res.stderr}`);
    assert.match(lines[0], new RegExp(`^error: Cannot lock ${path.join(stateDir, 'pairing.json').replace(/[.]/g, '\\.')}: permission denied\\. Make ${stateDir.replace(/[.]/g, '\\.')} writable for this user .* Nothing was changed\\.$`));
    assert.equal(await fs.readFile(path.join(stateDir, 'pairing.json'), 'utf8'), pairingBefore, 'the request is still pending');
    await assert.rejects(fs.stat(path.join(stateDir, 'allowFrom.json')), 'nobody was approved');
    assert.equal(await fs.readFile(configFile, 'utf8'), configBefore, 'the config is untouched');
    assert.equal(connector.received.length, 0, 'nobody was told they are approved');
  });

  it('serve whose state dir turns read-only (EACCES): an unpaired DM is answered 503 pairing-store-unavailable saying what to do; allowed senders are still served', async function () {
    if (process.getuid?.() !== 0) this.skip(); // needs to start serve as another user and take its write permission away
    await fs.chmod(dir, 0o755);
    await fs.mkdir(stateDir);
    await fs.chown(stateDir, NOBODY, NOBODY);
    await fs.writeFile(configFile, JSON.stringify({ dmPolicy: 'pairing', allowFrom: [FRIEND.aadObjectId], bot: { echo: true } }));
    const child = spawn(process.execPath, [CLI_JS, 'serve', ...common(), '--port', '0'], { cwd: '/', env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true, uid: NOBODY, gid: NOBODY });
    const serve = new LineProcess('serve (nobody)', child);
    running.push(serve);
    const url = (await serve.waitForLine(/^Listening on http:\/\/\S+$/)).raw.slice('Listening on '.length);
    await fs.chmod(stateDir, 0o555);

    const res = await postJson(url, personalMessage(CAROL, 'hello?', connector.serviceUrl));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'pairing-store-unavailable');
    assert.match(res.json.detail as string, /permission denied\. Make .*\.teams-bot writable for this user/);
    await serve.waitForLine((l) => l.level === 'ERROR' && l.message.includes('reason=pairing-store-unavailable') && l.message.includes('permission denied'));
    const friend = await postJson(url, personalMessage(FRIEND, 'still there?', connector.serviceUrl));
    assert.equal(friend.headers.get('x-teams-bot-dev-reason'), 'echo');
    assert.ok(serve.alive);
  });

  it('two processes approving the same code at once: applied and announced once; the other exits 0 saying it was already approved', async () => {
    await fs.writeFile(configFile, '{ "dmPolicy": "pairing" }\n');
    for (let round = 0; round < 3; round++) {
      await fs.rm(stateDir, { recursive: true, force: true });
      connector.received.length = 0;
      const carol = await seed();
      const results = await Promise.all([runCli(['pairing', 'approve', carol.code, ...common()]), runCli(['pairing', 'approve', carol.code, ...common()])]);
      assert.deepEqual(results.map((r) => r.code), [0, 0], results.map((r) => r.stderr).join('\n'));
      const said = results.map((r) => r.stdout.split('\n').filter((l) => !/^\d\d:/.test(l)).join('\n'));
      assert.equal(said.filter((t) => t.startsWith(`Approved ${carol.code}:`)).length, 1, said.join('\n---\n'));
      assert.equal(said.filter((t) => t.startsWith(`${carol.code} was already approved:`)).length, 1, said.join('\n---\n'));
      const notices = connector.received.filter((r) => /you are approved/.test((r.body as { text: string }).text));
      assert.equal(notices.length, 1, 'one "you are approved" notice');
      const allow = JSON.parse(await fs.readFile(path.join(stateDir, 'allowFrom.json'), 'utf8'));
      assert.deepEqual(allow.allowFrom, [CAROL.aadObjectId]);
    }
  });

  it('a DM approval does not admit the sender to a group chat (groupPolicy allowlist, groupAllowFrom unset); promote does; approved lists both kinds; revoke and exit codes', async () => {
    await fs.writeFile(configFile, '// team config\n{ "dmPolicy": "pairing", "groupPolicy": "allowlist", "requireMention": false, "allowFrom": [], "bot": { "echo": true } }\n');
    const { serve, url } = await startServe([...common(), '--port', '0']);
    running.push(serve);

    const first = await postJson(url, personalMessage(CAROL, 'let me in', connector.serviceUrl));
    const code = /\(code ([A-Z0-9]{8})\)$/.exec(first.json.detail as string)![1];
    const approve = await runCli(['pairing', 'approve', code, ...common()]);
    assert.equal(approve.code, 0, approve.stderr);
    await waitFor(async () => (await postJson(url, personalMessage(CAROL, 'hello', connector.serviceUrl))).headers.get('x-teams-bot-dev-reason') === 'echo', 'the DM to be delivered');

    const group = await postJson(url, groupMessage(CAROL, 'hi all', connector.serviceUrl));
    assert.equal(group.status, 200);
    assert.equal(group.json.reason, 'group-not-allowlisted', 'the DM approval does not open the group chat');
    assert.equal(parseJsonc(await fs.readFile(configFile, 'utf8')).allowFrom.length, 0, 'the config still lists nobody');

    const listed = await runCli(['pairing', 'approved', '--json', ...common()]);
    assert.equal(listed.code, 0, listed.stderr);
    const approved = JSON.parse(listed.stdout) as { entry: string; source: string; name?: string; approvedAt?: string; approvedBy?: string; code?: string; id?: string }[];
    assert.equal(approved.length, 1);
    assert.equal(approved[0].entry, CAROL.aadObjectId);
    assert.equal(approved[0].source, 'pairing');
    assert.equal(approved[0].name, CAROL.name);
    assert.equal(approved[0].id, CAROL.id);
    assert.equal(approved[0].code, code);
    assert.match(approved[0].approvedBy ?? '', /^cli/);
    assert.ok(approved[0].approvedAt && !Number.isNaN(Date.parse(approved[0].approvedAt)));
    const table = await runCli(['pairing', 'approved', ...common()]);
    assert.match(table.stdout, /^SENDER\s+NAME\s+WHERE\s+APPROVED\s+BY\s+CODE\n/);
    assert.match(table.stdout, new RegExp(`${CAROL.aadObjectId}\\s+Carol Tester\\s+pairing \\(personal chats\\)`));

    // Promote: the user chooses to let them in wherever allowFrom counts.
    const promote = await runCli(['pairing', 'promote', CAROL.id, ...common()]);
    assert.equal(promote.code, 0, promote.stderr);
    const text = await fs.readFile(configFile, 'utf8');
    assert.ok(text.startsWith('// team config\n'), 'comments kept');
    assert.deepEqual(parseJsonc(text).allowFrom, [CAROL.aadObjectId]);
    await waitFor(async () => (await postJson(url, groupMessage(CAROL, 'hi all', connector.serviceUrl))).headers.get('x-teams-bot-dev-reason') === 'echo', 'the group message to be delivered after promote');
    const after = JSON.parse((await runCli(['pairing', 'approved', '--json', ...common()])).stdout) as { entry: string; source: string }[];
    assert.deepEqual(after.map((s) => [s.entry, s.source]), [[CAROL.aadObjectId, 'config']]);

    // Revoke: a config entry is the config's; an unknown id is a user error; a missing argument is a usage error.
    const inConfig = await runCli(['pairing', 'revoke', CAROL.aadObjectId, ...common()]);
    assert.equal(inConfig.code, 1);
    assert.match(inConfig.stderr, /^error: .* is in allowFrom in .*, not a pairing approval: remove it from that file to revoke it\.\n$/);
    const unknown = await runCli(['pairing', 'revoke', '29:nobody', ...common()]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: No approved sender matches 29:nobody/);
    const usage = await runCli(['pairing', 'revoke', ...common()]);
    assert.equal(usage.code, 2);
  });

  it('revoke removes a pairing approval: the next DM starts a new pairing', async () => {
    await fs.writeFile(configFile, '{ "dmPolicy": "pairing", "bot": { "echo": true } }\n');
    const carol = await seed();
    assert.equal((await runCli(['pairing', 'approve', carol.code, ...common()])).code, 0);
    const revoke = await runCli(['pairing', 'revoke', CAROL.id, ...common()]);
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.match(revoke.stdout, /Revoked Carol Tester \(aaaaaaaa-0000-4000-8000-00000000c0c0\): their next personal message starts a new pairing\./);
    const allow = JSON.parse(await fs.readFile(path.join(stateDir, 'allowFrom.json'), 'utf8'));
    assert.deepEqual(allow.allowFrom, []);
    const { serve, url } = await startServe([...common(), '--port', '0']);
    running.push(serve);
    const next = await postJson(url, personalMessage(CAROL, 'me again', connector.serviceUrl));
    assert.equal(next.json.reason, 'dm-pairing-pending');
  });

  it('serve keeps running when the config file becomes unreadable, logging what to do, and keeps serving', async () => {
    await fs.writeFile(configFile, '{ "dmPolicy": "open", "bot": { "echo": true } }\n');
    const { serve, url } = await startServe([...common(), '--port', '0']);
    running.push(serve);
    await fs.rm(configFile);
    await fs.mkdir(configFile);
    await serve.waitForLine((l) => l.level === 'ERROR' && /\[config\] .* could not be applied \(Cannot read .*\); the webhook keeps the last valid configuration/.test(l.message));
    assert.ok(serve.alive, 'serve did not exit');
    const res = await postJson(url, personalMessage(CAROL, 'still there?', connector.serviceUrl));
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'echo');
    assert.ok(serve.alive);
  });
});
