import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalOutcome } from '../../../src/core/openclaw/openclawPairings';
import type { OpenClawSnapshot } from '../../../src/extension/openclaw/registerOpenClaw';
import { seedPairingRequests, type OpenClawInstall } from '../../support/openclawInstall';
import { api, waitFor, EXTENSION_ID } from './helpers';

/**
 * The OpenClaw view against the real openclaw CLI (installed on demand into
 * .vscode-test/openclaw by test/support/openclawInstall.ts, run here as a
 * child process), with requests seeded in its SQLite store the way the
 * msteams plugin writes them. OpenClaw runs in a private HOME and state dir.
 */

/** Runs the installer under this host's Node (24, with tsx from the repo) and returns where it put things. */
function installOpenClaw(repo: string): Promise<OpenClawInstall> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'test', 'support', 'openclawInstall.ts')], {
      cwd: repo,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as OpenClawInstall) : reject(new Error(`openclaw install failed: ${err}`))));
  });
}

describe('OpenClaw view (real openclaw CLI)', function () {
  // A hang guard: every OpenClaw CLI call is a Node process that takes seconds, more on a loaded machine.
  this.timeout(15 * 60_000);

  let install: OpenClawInstall;
  let root: string;
  let stateDir: string;
  const config = () => vscode.workspace.getConfiguration('teamsBot');

  const refresh = () => vscode.commands.executeCommand<OpenClawSnapshot>('teamsBot.openclaw.refresh');

  before(async function () {
    this.timeout(30 * 60_000);
    const repo = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    install = await installOpenClaw(repo);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-host-'));
    stateDir = path.join(root, 'state');
    fs.mkdirSync(path.join(root, 'home'), { recursive: true });
    // The user's `openclaw`, but in a private HOME (the CLI writes ~/.cache/openclaw and npm logs there).
    const wrapper = path.join(root, 'openclaw');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nexport HOME=${JSON.stringify(path.join(root, 'home'))} NODE_COMPILE_CACHE=${JSON.stringify(path.join(path.dirname(install.binDir), 'compile-cache'))} npm_config_offline=true\nexec ${JSON.stringify(install.wrapper)} "$@"\n`,
      { mode: 0o755 },
    );
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'openclaw.json'), '// the operator\'s notes\n{\n  gateway: { port: 18789, auth: { mode: "token", token: "t0k3n" } },\n}\n');
    await api();
    await config().update('notifications', 'all', vscode.ConfigurationTarget.Global);
    await config().update('openclaw.stateDir', stateDir, vscode.ConfigurationTarget.Global);
    await config().update('openclaw.cliPath', wrapper, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    const a = await api();
    a.ctx.toasts.answer = undefined;
    await config().update('openclaw.cliPath', undefined, vscode.ConfigurationTarget.Global);
    await config().update('openclaw.stateDir', undefined, vscode.ConfigurationTarget.Global);
    await config().update('notifications', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('finds OpenClaw through the settings and lists its (empty) pending requests', async () => {
    const snap = await waitFor('the OpenClaw view to find the state dir', async () => {
      const s = await refresh();
      return s.found && s.stateDir === stateDir && !s.error ? s : undefined;
    }, 5 * 60_000);
    assert.equal(snap.requests.length, 0);
    assert.ok(fs.existsSync(path.join(stateDir, 'state', 'openclaw.sqlite')), 'the CLI created its store');
  });

  it('a new request raises a notification with Approve, noticed through the store watcher', async () => {
    const a = await api();
    const before = a.ctx.toasts.shown.length;
    await seedPairingRequests(install.node, stateDir, [
      { senderId: 'bbbbbbbb-1111-4111-8111-0000000000a1', code: 'HOST2345', name: 'Alice Example' },
      { senderId: 'bbbbbbbb-2222-4222-8222-0000000000b2', code: 'HOST6789', name: 'Bob Builder' },
    ]);
    // No refresh command here: the watcher must see the store change and ask the CLI by itself.
    const toasts = await waitFor('both notifications', () => {
      const shown = a.ctx.toasts.shown.slice(before).filter((t) => /wants to message your OpenClaw bot/.test(t.message));
      return shown.length >= 2 ? shown : undefined;
    }, 2 * 60_000); // under the 5-minute safety refresh: only the watcher can make this pass
    const alice = toasts.find((t) => t.message.includes('HOST2345'));
    assert.ok(alice);
    assert.equal(alice.message, 'Alice Example wants to message your OpenClaw bot in Teams (code HOST2345).');
    assert.deepEqual(alice.actions, ['Approve', 'Show']);
  });

  it('Approve without a running gateway: warns about the openclaw.json rewrite first, then says plainly the sender was not told', async () => {
    const a = await api();
    const snap = await refresh();
    const alice = snap.requests.find((r) => r.code === 'HOST2345');
    assert.ok(alice, JSON.stringify(snap));
    const before = a.ctx.toasts.shown.length;
    a.ctx.toasts.answer = (t) => (t.actions.includes('Approve Anyway') ? 'Approve Anyway' : undefined);
    const outcome = await vscode.commands.executeCommand<ApprovalOutcome>('teamsBot.openclaw.approve', alice);
    a.ctx.toasts.answer = undefined;
    const shown = a.ctx.toasts.shown.slice(before);
    assert.match(shown[0]?.message ?? '', /^OpenClaw's gateway is not running, so approving Alice Example goes through the openclaw CLI, whose first approval sets commands\.ownerAllowFrom and saves openclaw\.json as plain JSON, so its comments are lost \(the old file is kept as openclaw\.json\.bak\)\.$/);
    assert.ok(outcome, `approval failed: ${JSON.stringify(shown)}`);
    assert.equal(outcome.via, 'cli');
    assert.equal(outcome.notified, false);
    const told = shown.find((t) => t.kind === 'warning' && /was NOT told/.test(t.message));
    assert.ok(told, JSON.stringify(shown));
    assert.match(told.message, /^Approved Alice Example \(bbbbbbbb-1111-4111-8111-0000000000a1\), but Alice Example was NOT told/);
    assert.match(fs.readFileSync(path.join(stateDir, 'openclaw.json.bak'), 'utf8'), /the operator's notes/);

    const after = await refresh();
    assert.deepEqual(after.requests.map((r) => r.code), ['HOST6789']);
    assert.ok(after.approved.includes('bbbbbbbb-1111-4111-8111-0000000000a1'), `approved: ${after.approved.join(', ')}`);
  });

  it('a later Approve does not warn again (the command owner is set now)', async () => {
    const a = await api();
    const before = a.ctx.toasts.shown.length;
    const outcome = await vscode.commands.executeCommand<ApprovalOutcome>('teamsBot.openclaw.approve', 'HOST6789');
    assert.ok(outcome);
    assert.equal(outcome.configRewritten, false);
    assert.equal(a.ctx.toasts.shown.slice(before).filter((t) => /goes through the openclaw CLI/.test(t.message)).length, 0);
  });

  it('Reject without a running gateway says it needs the gateway, and when the request expires by itself', async () => {
    const a = await api();
    await seedPairingRequests(install.node, stateDir, [{ senderId: 'bbbbbbbb-3333-4333-8333-0000000000c3', code: 'HOSTREJ2', name: 'Carol' }]);
    const snap = await refresh();
    const carol = snap.requests.find((r) => r.code === 'HOSTREJ2');
    assert.ok(carol);
    const before = a.ctx.toasts.shown.length;
    assert.equal(await vscode.commands.executeCommand('teamsBot.openclaw.reject', carol), false);
    const error = a.ctx.toasts.shown.slice(before).find((t) => t.kind === 'error');
    assert.match(error?.message ?? '', /OpenClaw can reject a request only through its running gateway.*expires by itself in \d+ min/);
    assert.deepEqual((await refresh()).requests.map((r) => r.code), ['HOSTREJ2'], 'the request is still there');
  });

  it('Problems for channels.msteams in openclaw.json: our checks of shared keys and OpenClaw\'s own issues, at line and column', async () => {
    const file = path.join(stateDir, 'openclaw.json');
    const saved = fs.readFileSync(file, 'utf8');
    try {
      // OpenClaw rewrote the file as plain JSON at the first approval; add a JSON5 channels block to it.
      const json = JSON.stringify(JSON.parse(saved), null, 2);
      fs.writeFileSync(file, json.replace(/\n}$/, ',\n  channels: { msteams: {\n    dmPolicy: "bogus",\n    bogusKey: 1,\n  } },\n}\n'));
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      const dmLine = lines.findIndex((l) => l.includes('dmPolicy')) + 1;
      const problems = await vscode.commands.executeCommand<{ message: string; line: number; column: number; source: string }[]>('teamsBot.openclaw.validateConfig');
      const dm = problems.find((p) => p.message.startsWith('channels.msteams.dmPolicy:'));
      assert.deepEqual(dm, { message: 'channels.msteams.dmPolicy: must be one of pairing, allowlist, open, disabled', line: dmLine, column: 15, source: 'Teams Bot' }, JSON.stringify(problems));
      const unknown = problems.find((p) => p.source === 'OpenClaw');
      assert.ok(unknown, JSON.stringify(problems));
      assert.match(unknown.message, /^channels\.msteams: .*bogusKey.*\(openclaw config validate\)$/);
      assert.equal(unknown.line, dmLine - 1);
      assert.equal(problems.length, 2, JSON.stringify(problems));
    } finally {
      fs.writeFileSync(file, saved);
    }
  });

  it('a CLI path that does not exist: an error naming the setting, with Install', async () => {
    const a = await api();
    const before = a.ctx.toasts.shown.length;
    await config().update('openclaw.cliPath', path.join(root, 'missing', 'openclaw'), vscode.ConfigurationTarget.Global);
    const toast = await waitFor('the missing-CLI error', () => a.ctx.toasts.shown.slice(before).find((t) => t.kind === 'error'), 60_000);
    assert.match(toast.message, /The OpenClaw CLI \(openclaw\) was not found at .*missing\/openclaw: fix teamsBot\.openclaw\.cliPath/);
    assert.deepEqual(toast.actions, ['Install', 'Open Settings']);
    const snap = await refresh();
    assert.equal(snap.found, true, 'the state dir still exists, so the view stays');
    assert.match(snap.error ?? '', /was not found at/);
  });
});
