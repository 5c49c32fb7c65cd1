import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Toast } from '../../../src/extension/toasts';
import { api, dm, postActivity, waitFor, workspaceDir, EXTENSION_ID } from './helpers';

/**
 * The config editor (Problems, quick fixes), the toasts, the palette and the
 * walkthrough's F5 button, as a new user meets them (issue 9 items 5-7, 9,
 * 10, 12-15; issue 8 §2 a reload that fails). Runs before extension.test.ts
 * in the same host and leaves the folder as it found it.
 */
describe('config editor, toasts and commands in a real VS Code', function () {
  let configFile: string;
  let undoNotifications: () => Promise<void>;

  const write = (text: string) => fs.writeFileSync(configFile, text);
  const relevant = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri);
  const ours = (uri: vscode.Uri) => relevant(uri).filter((d) => d.source === 'Teams Bot');

  /** Opens the config with `text` (saved to disk first), and waits for our checks to run on it. */
  async function openConfig(text: string): Promise<vscode.TextDocument> {
    write(text);
    const doc = await vscode.workspace.openTextDocument(configFile);
    const editor = await vscode.window.showTextDocument(doc);
    if (doc.getText() !== text) {
      await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text));
      await doc.save();
    }
    (await api()).diagnostics.check(doc);
    return doc;
  }

  /** Toasts shown from now on; `answer` presses a button as the developer would. */
  function toastsFrom(a: Awaited<ReturnType<typeof api>>, answer?: (t: Toast) => string | undefined): { list: Toast[]; done(): void } {
    const list: Toast[] = [];
    const sub = a.ctx.toasts.onShow((t) => list.push(t));
    a.ctx.toasts.answer = answer;
    return { list, done: () => { sub.dispose(); a.ctx.toasts.answer = undefined; } };
  }

  before(async () => {
    configFile = path.join(workspaceDir(), 'teams-bot.config.json');
    fs.rmSync(configFile, { force: true });
    fs.rmSync(path.join(workspaceDir(), '.teams-bot'), { recursive: true, force: true });
    await api();
    // The runner's user settings say "errors"; these tests are about the info toasts too.
    const section = () => vscode.workspace.getConfiguration('teamsBot', vscode.workspace.workspaceFolders![0].uri);
    await section().update('notifications', 'all', vscode.ConfigurationTarget.Workspace);
    undoNotifications = async () => section().update('notifications', undefined, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await undoNotifications?.();
    fs.rmSync(configFile, { force: true });
    fs.rmSync(path.join(workspaceDir(), '.teams-bot'), { recursive: true, force: true });
    fs.rmSync(path.join(workspaceDir(), '.vscode'), { recursive: true, force: true });
  });

  it('names the pairing commands after what they act on (palette: "Approve Pairing Request…")', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string; title: string }[] } };
    const title = (id: string) => manifest.contributes.commands.find((c) => c.command === id)?.title;
    assert.equal(title('teamsBot.approvePairing'), 'Approve Pairing Request…');
    assert.equal(title('teamsBot.rejectPairing'), 'Reject Pairing Request…');
  });

  it('a schema error that stops the webhook is an Error in Problems, not a warning', async () => {
    const doc = await openConfig('{\n  "dmPolicy": "sometimes"\n}\n');
    const found = await waitFor('our diagnostic', () => ours(doc.uri).find((d) => d.code === 'schema:enum'));
    assert.equal(found.severity, vscode.DiagnosticSeverity.Error, found.message);
    assert.equal(found.range.start.line, 1);
    assert.match(found.message, /dmPolicy: must be one of pairing, allowlist, open, disabled/);
  });

  it('a misspelt key gets "Did you mean dmPolicy?" as a quick fix that renames it', async () => {
    const doc = await openConfig('{\n  "dmPolcy": "open",\n  "groupPolicy": "sometimes"\n}\n');
    const typo = await waitFor('the unknown-key diagnostic', () => ours(doc.uri).find((d) => d.code === 'schema:additionalProperties'));
    assert.equal(typo.severity, vscode.DiagnosticSeverity.Error);
    // Once the JSON language server has squiggled groupPolicy it has validated the file: the typo has one diagnostic, ours.
    await waitFor('the JSON language server to validate the file', () => relevant(doc.uri).find((d) => d.source !== 'Teams Bot' && d.range.start.line === 2), 20_000);
    const onTypoLine = relevant(doc.uri).filter((d) => d.range.start.line === 1);
    assert.equal(onTypoLine.length, 1, JSON.stringify(onTypoLine.map((d) => [d.source, d.message])));
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, typo.range)) as vscode.CodeAction[];
    const fix = actions.find((x) => x.title === 'Did you mean dmPolicy?');
    assert.ok(fix?.edit, JSON.stringify(actions.map((x) => x.title)));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(JSON.parse(doc.getText()).dmPolicy, 'open');
    await doc.save();
    await waitFor('the diagnostic to go', () => !ours(doc.uri).some((d) => d.code === 'schema:additionalProperties'));
  });

  it('the "Move appPassword to Secret Storage" fix is offered beside other schema errors, and the password is flagged once', async () => {
    const a = await api();
    const doc = await openConfig('{\n  "dmPolicy": "sometimes",\n  "appPassword": "in-file-pw-123"\n}\n');
    const secret = await waitFor('secret-in-file', () => ours(doc.uri).find((d) => d.code === 'secret-in-file'));
    // The JSON language server validates against the same schema: once it has squiggled dmPolicy,
    // it has seen the file, so whatever it says about appPassword is there too.
    await waitFor('the JSON language server to validate the file', () => relevant(doc.uri).find((d) => d.source !== 'Teams Bot' && d.range.start.line === 1), 20_000);
    const onPasswordLine = relevant(doc.uri).filter((d) => d.range.start.line === 2);
    assert.equal(onPasswordLine.length, 1, JSON.stringify(onPasswordLine.map((d) => [d.source, d.message])));
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, secret.range)) as vscode.CodeAction[];
    const move = actions.find((x) => x.title === 'Move appPassword to Secret Storage');
    assert.ok(move?.command, JSON.stringify(actions.map((x) => x.title)));
    await vscode.commands.executeCommand(move.command.command, ...(move.command.arguments ?? []));
    assert.ok(!fs.readFileSync(configFile, 'utf8').includes('in-file-pw-123'));
    assert.equal(await a.ctx.secrets.get(undefined), 'in-file-pw-123');
    await a.ctx.secrets.delete(undefined);
  });

  it('the invalid-config toast names the file relative to the workspace, not by its absolute path', async () => {
    const a = await api();
    await openConfig('{\n  "dmPolicy": "sometimes"\n}\n');
    const toasts = toastsFrom(a);
    try {
      assert.equal(await vscode.commands.executeCommand('teamsBot.startWebhook'), undefined);
      const toast = await waitFor('the start error toast', () => toasts.list.find((t) => t.kind === 'error'));
      assert.match(toast.message, /^The Teams bot webhook did not start\. teams-bot\.config\.json is invalid/);
      assert.ok(!toast.message.includes(workspaceDir()), toast.message);
      assert.deepEqual(toast.actions, ['Open Config', 'Show Log']);
    } finally {
      toasts.done();
    }
  });

  it('Change Port (from the port-in-use error) selects the port value, adding it when the file relies on the default', async () => {
    const a = await api();
    // Something else holds the port the config names.
    const net = await import('node:net');
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const busy = (holder.address() as { port: number }).port;
    await openConfig(`{\n  // where to listen\n  "webhook": { "host": "127.0.0.1", "port": ${busy} }\n}\n`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const toasts = toastsFrom(a, (t) => (t.actions.includes('Change Port') ? 'Change Port' : undefined));
    try {
      assert.equal(await vscode.commands.executeCommand('teamsBot.startWebhook'), undefined);
      const toast = await waitFor('the port-in-use toast', () => toasts.list.find((t) => t.actions.includes('Change Port')));
      assert.match(toast.message, /already in use/);
      const editor = await waitFor('the config editor with a selection', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.fsPath === configFile && !e.selection.isEmpty ? e : undefined;
      });
      assert.equal(editor.document.getText(editor.selection), String(busy));
    } finally {
      toasts.done();
      holder.close();
    }
    // No webhook.port in the file: Change Port adds the default and selects it.
    await openConfig('{\n  "dmPolicy": "pairing"\n}\n');
    const selection = (await vscode.commands.executeCommand('teamsBot.editConfig', ['webhook', 'port'], 3978)) as vscode.Selection;
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.getText(selection), '3978');
    assert.equal(JSON.parse(editor.document.getText()).webhook.port, 3978);
    await editor.document.save();
  });

  describe('with the webhook running', () => {
    before(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      write('{\n  // test config\n  "webhook": { "port": 0 },\n  "dmPolicy": "pairing",\n  "bot": { "echo": true }\n}\n');
      const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string } | undefined;
      assert.equal(state?.status, 'running');
    });

    it('a new simulated sender raises ONE toast (the pairing request and what happened to the message), and approving says where the notice really went', async () => {
      const a = await api();
      const carol = { id: '29:toast-carol', name: 'Carol Toast', aadObjectId: 'cccccccc-1111-4111-8111-00000000c0c0' };
      const toasts = toastsFrom(a);
      let record: { reason: string; pairingCode?: string };
      try {
        record = (await vscode.commands.executeCommand('teamsBot.simulateMessage', { user: carol, kind: 'personal', text: 'hello' }, { report: true })) as typeof record;
        assert.equal(record.reason, 'dm-pairing-pending');
        // Both the store's "requested" event and the command's report have run by now (the pairing
        // write completes before the pipeline answers): every toast about Carol is in the list.
        const aboutCarol = toasts.list.filter((t) => t.message.includes('Carol Toast'));
        assert.equal(aboutCarol.length, 1, JSON.stringify(aboutCarol));
        assert.match(aboutCarol[0].message, new RegExp(`^Carol Toast wants to message your bot \\(code ${record.pairingCode}\\)\\. The simulated message was dropped \\(dm-pairing-pending\\)`));
        assert.deepEqual(aboutCarol[0].actions, ['Approve', 'Reject', 'Show Activity']);
      } finally {
        toasts.done();
      }

      const approvals = toastsFrom(a);
      try {
        await vscode.commands.executeCommand('teamsBot.approvePairing', record.pairingCode);
        const said = await waitFor('the approval toast', () => approvals.list.find((t) => t.message.startsWith('Approved Carol Toast')));
        assert.ok(!/told in Teams/.test(said.message), said.message);
        assert.match(said.message, /went to the simulator/);
      } finally {
        approvals.done();
      }
    });

    it('the bot\'s reply in the simulation toast is cut at a word boundary, with an ellipsis', async () => {
      const a = await api();
      // Carol was approved above, so her message reaches the echo bot.
      const carol = { id: '29:toast-carol', name: 'Carol Toast', aadObjectId: 'cccccccc-1111-4111-8111-00000000c0c0' };
      const text = 'Hello bot, this message keeps going well past what a notification can show, and you are nearly at the end of it now';
      const toasts = toastsFrom(a);
      try {
        const record = (await vscode.commands.executeCommand('teamsBot.simulateMessage', { user: carol, kind: 'personal', text }, { report: true })) as { reason: string };
        assert.equal(record.reason, 'echo');
        const toast = await waitFor('the simulation toast', () => toasts.list.find((t) => t.message.startsWith('Delivered (echo).')), 10_000);
        const preview = /Replies: “([^”]*)”/.exec(toast.message)?.[1];
        assert.ok(preview?.endsWith('…'), toast.message);
        const head = preview!.slice(0, -1);
        const reply = `Echo: ${text}`;
        assert.ok(reply.startsWith(head) && head.length < reply.length, toast.message);
        assert.match(reply.charAt(head.length), /[\s,.]/, `cut mid-word: ${toast.message}`);
      } finally {
        toasts.done();
      }
    });

    it('a real (non-simulated) new sender still gets exactly one toast', async () => {
      const a = await api();
      const dave = { id: '29:toast-dave', name: 'Dave Toast', aadObjectId: 'dddddddd-1111-4111-8111-00000000d0d0' };
      const toasts = toastsFrom(a);
      try {
        const url = a.ctx.host.state.url!;
        const res = await postActivity(url, dm(dave, 'hi', `${new URL(url).origin}/_simulator`));
        assert.equal(res.json.reason, 'dm-pairing-pending');
        const toast = await waitFor('the pairing toast', () => toasts.list.find((t) => t.message.includes('Dave Toast')));
        assert.deepEqual(toast.actions, ['Approve', 'Reject', 'Show']);
        assert.equal(toasts.list.filter((t) => t.message.includes('Dave Toast')).length, 1);
      } finally {
        toasts.done();
      }
    });

    it('Repeat Last Simulation sends the last simulated message again, and its toast offers Send Again', async () => {
      const a = await api();
      const input = { user: { id: '29:repeat-erin', name: 'Erin Repeat', aadObjectId: 'eeeeeeee-1111-4111-8111-00000000e0e0' }, kind: 'groupChat', mention: false, text: 'same again' };
      const first = (await vscode.commands.executeCommand('teamsBot.simulateMessage', input)) as { reason: string; activity: { text: string; from: { id: string } } };
      assert.equal(first.reason, 'group-not-allowlisted');
      const toasts = toastsFrom(a);
      try {
        const again = (await vscode.commands.executeCommand('teamsBot.repeatLastSimulation')) as typeof first;
        assert.equal(again.reason, 'group-not-allowlisted');
        assert.equal(again.activity.text, 'same again');
        assert.equal(again.activity.from.id, input.user.id);
        const toast = await waitFor('the simulation toast', () => toasts.list.find((t) => t.message.startsWith('Dropped: group-not-allowlisted')));
        assert.deepEqual(toast.actions, ['Show Activity', 'Send Again']);
      } finally {
        toasts.done();
      }
    });

    it('a config edit that fails to reload keeps the last good config running, with the error in the status bar and Problems (line and column)', async () => {
      const a = await api();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const url = a.ctx.host.state.url!;
      write('{\n  // test config\n  "webhook": { "port": 0 },\n  "dmPolicy": "sometimes"\n}\n');
      const problems = await waitFor('the failed reload', () => a.ctx.host.configProblems?.keptLastGood && a.ctx.host.configProblems, 10_000);
      assert.ok(problems.diagnostics.some((d) => d.path === 'dmPolicy' && d.line === 4));
      assert.equal(a.ctx.host.state.status, 'running');
      assert.match(a.statusBar.item.text, /config error/);
      // The tooltip is markdown with user text escaped: compare what it renders, not the escapes.
      const shown = (a.statusBar.item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
      assert.match(shown, /dmPolicy: must be one of .*\(line 4, col 15\)/);
      const inProblems = await waitFor('the error in Problems', () => ours(vscode.Uri.file(configFile)).find((d) => d.code === 'schema:enum'));
      assert.equal(inProblems.severity, vscode.DiagnosticSeverity.Error);
      assert.deepEqual([inProblems.range.start.line, inProblems.range.start.character], [3, 14]);
      // The last good config still answers.
      const res = await postActivity(url, dm({ id: '29:reload-frank', name: 'Frank', aadObjectId: 'ffffffff-1111-4111-8111-00000000f0f0' }, 'still there?', `${new URL(url).origin}/_simulator`));
      assert.equal(res.json.reason, 'dm-pairing-pending');

      write('{\n  // test config\n  "webhook": { "port": 0 },\n  "dmPolicy": "open"\n}\n');
      await waitFor('the fixed reload', () => a.ctx.host.configProblems && !a.ctx.host.configProblems.keptLastGood, 10_000);
      assert.doesNotMatch(a.statusBar.item.text, /config error/);
      await waitFor('the errors to leave Problems', () => !ours(vscode.Uri.file(configFile)).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
    });
  });

  it('a Set Up Bot failure for a missing CLI reads plainly (no backticks) and offers Install', async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    const section = vscode.workspace.getConfiguration('teamsBot', vscode.workspace.workspaceFolders![0].uri);
    await section.update('devtunnelPath', 'devtunnel-not-installed', vscode.ConfigurationTarget.Workspace);
    const toasts = toastsFrom(a);
    try {
      assert.equal(await vscode.commands.executeCommand('teamsBot.setupBot'), false);
      const toast = await waitFor('the failure toast', () => toasts.list.find((t) => t.kind === 'error'));
      assert.match(toast.message, /^Set Up Bot \(Checking the devtunnel CLI\) failed: devtunnel is not installed/);
      assert.ok(!toast.message.includes('`'), toast.message);
      assert.match(toast.message, /“curl -sL https:\/\/aka\.ms\/DevTunnelCliInstall \| bash”/);
      assert.equal(toast.actions[0], 'Install');
    } finally {
      toasts.done();
      await section.update('devtunnelPath', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a state dir held by another gateway (the CLI in a terminal) is named in the toast and the status bar, with its pid and port', async function () {
    this.timeout(30_000);
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    write('{\n  "webhook": { "port": 0 }\n}\n');
    const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    const cp = await import('node:child_process');
    const serve = cp.spawn(process.execPath, [cli, 'serve', '--config', configFile, '--state-dir', path.join(workspaceDir(), '.teams-bot')], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    serve.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    serve.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const toasts = toastsFrom(a);
    try {
      const port = Number(await waitFor('the CLI gateway to listen', () => /Listening on http:\/\/[^:]+:(\d+)/.exec(out)?.[1], 15_000));
      assert.equal(await vscode.commands.executeCommand('teamsBot.startWebhook'), undefined);
      const toast = await waitFor('the state-dir toast', () => toasts.list.find((t) => t.kind === 'error'));
      assert.match(toast.message, new RegExp(`pid ${serve.pid}, port ${port}`));
      assert.ok(!toast.message.includes(workspaceDir()), toast.message);
      assert.deepEqual(toast.actions, ['Change State Dir', 'Show Log']);
      assert.match(a.statusBar.item.text, /state dir in use/);
    } finally {
      toasts.done();
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
  });

  it('the walkthrough\'s F5 button starts a teams-bot launch itself, creating launch.json, even with a JSON file focused', async () => {
    const a = await api();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { walkthroughs: { steps: { id: string; description: string }[] }[] } };
    const step = manifest.contributes.walkthroughs[0].steps.find((s) => s.id === 'f5')!;
    assert.match(step.description, /\(command:teamsBot\.startDebugging\)/);

    // Only launch.json: .vscode/settings.json holds this suite's notifications setting.
    fs.rmSync(path.join(workspaceDir(), '.vscode', 'launch.json'), { force: true });
    await openConfig('{\n  "webhook": { "port": 0 }\n}\n');
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'jsonc');
    const started = await vscode.commands.executeCommand('teamsBot.startDebugging');
    // This folder has no bot program, so the teams-bot provider stops at its first step: proof that
    // the button reached the teams-bot debugger, not a JSON one.
    assert.equal(started, false);
    assert.equal(a.debug.lastFailure?.step, 'Checking teams-bot.config.json');
    assert.match(a.debug.lastFailure!.message, /the bot program .*index\.js does not exist/);
    const launch = await waitFor('launch.json', () => {
      const file = path.join(workspaceDir(), '.vscode', 'launch.json');
      return fs.existsSync(file) && fs.readFileSync(file, 'utf8');
    });
    assert.match(launch, /"type": "teams-bot"/);
  });
});
