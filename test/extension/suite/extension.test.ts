import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import * as vscode from 'vscode';
import { api, dm, postActivity, waitFor, workspaceDir, EXTENSION_ID } from './helpers';

const ALICE = { id: '29:alice', name: 'Alice Wilber', aadObjectId: 'aaaaaaaa-1111-4111-8111-00000000a11c' };
const BOB = { id: '29:bob', name: 'Bob Franco', aadObjectId: 'aaaaaaaa-2222-4222-8222-000000000b0b' };

describe('Teams Bot extension in a real VS Code', function () {
  let configFile: string;

  before(async () => {
    configFile = path.join(workspaceDir(), 'teams-bot.config.json');
    fs.rmSync(configFile, { force: true });
    fs.rmSync(path.join(workspaceDir(), '.teams-bot'), { recursive: true, force: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
  });

  it('activates and contributes every command it declares, each with the Teams Bot category', async () => {
    const a = await api();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string; category: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.ok(manifest.contributes.commands.every((c) => c.category === 'Teams Bot'));
    assert.ok(a.activationMs > 0);
  });

  it('Create Config writes the commented starter file and opens it', async () => {
    const uri = (await vscode.commands.executeCommand('teamsBot.createConfig')) as vscode.Uri;
    assert.equal(uri.fsPath, configFile);
    const text = fs.readFileSync(configFile, 'utf8');
    assert.match(text, /\/\/ Approved senders/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, configFile);
    // Port 0: any free port, so the suite never collides with a running bot.
    fs.writeFileSync(configFile, text.replace('"port": 3978', '"port": 0'));
  });

  it('Start Webhook runs the gateway; an unpaired DM shows up as a pairing request and a dropped activity with its reason', async () => {
    const a = await api();
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string; url: string };
    assert.equal(state?.status, 'running', 'webhook did not start');
    const res = await postActivity(state.url, dm(ALICE, 'hello from alice', `${new URL(state.url).origin}/_simulator`));
    assert.equal(res.status, 200);
    assert.equal(res.json.reason, 'dm-pairing-pending');

    const requests = await waitFor('a pairing row', () => { const rows = a.pairingTree.getChildren(); return rows.length ? rows : undefined; });
    const item = a.pairingTree.getTreeItem(requests[0]);
    assert.match(String(item.label), /^[A-Z2-9]{8} · Alice Wilber$/);
    assert.equal(item.contextValue, 'pairingRequest');

    const rows = await waitFor('a dropped activity', () => a.activityTree.getChildren().find((r) => r.reason === 'dm-pairing-pending'));
    const activityItem = a.activityTree.getTreeItem(rows);
    assert.match(String(activityItem.label), /^dropped · dm-pairing-pending/);
    assert.equal((activityItem.iconPath as vscode.ThemeIcon).id, 'circle-slash');
  });

  it('the "not delivered" filter hides delivered activities', async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.showOnlyUndelivered');
    assert.ok(a.activityTree.getChildren().every((r) => r.fate !== 'delivered'));
    await vscode.commands.executeCommand('teamsBot.showAllActivities');
  });

  it('opening an activity shows redacted JSON with the fate and reason', async () => {
    const a = await api();
    const record = a.activityTree.getChildren().find((r) => r.reason === 'dm-pairing-pending')!;
    await vscode.commands.executeCommand('teamsBot.showActivity', record);
    const doc = await waitFor('the activity document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'teams-bot-activity'));
    const json = JSON.parse(doc.getText());
    assert.equal(json.reason, 'dm-pairing-pending');
    assert.equal(json.activity.text, 'hello from alice');
  });

  it('Approve lists the sender under Approved Senders as a pairing approval (the config is untouched) and the next message is delivered', async () => {
    const a = await api();
    const [request] = a.pairingTree.getChildren();
    const before = fs.readFileSync(configFile, 'utf8');
    await vscode.commands.executeCommand('teamsBot.approvePairing', request);
    // Approvals open personal chats only (issue 10): the state dir's allow store, not the config's allowFrom.
    assert.equal(fs.readFileSync(configFile, 'utf8'), before);
    assert.equal(a.pairingTree.getChildren().length, 0);
    const approved = await waitFor('Alice under Approved Senders', async () => (await a.approvedSenders.getChildren()).find((s) => s.entry === ALICE.aadObjectId));
    assert.equal(approved.source, 'pairing');
    const url = a.ctx.host.state.url!;
    const res = await postActivity(url, dm(ALICE, 'now?', `${new URL(url).origin}/_simulator`));
    assert.equal(res.status, 200);
    const delivered = await waitFor('a delivered row', () => a.activityTree.getChildren().find((r) => r.fate === 'delivered' && r.direction === 'inbound'));
    assert.equal(delivered.reason, 'echo');
  });

  it('an approval made by the CLI in a terminal shows up in the sidebar by itself (the store watch, no refresh)', async () => {
    const a = await api();
    const url = a.ctx.host.state.url!;
    await postActivity(url, dm(BOB, 'hi', `${new URL(url).origin}/_simulator`));
    const request = await waitFor('Bob\'s request', () => a.pairingTree.getChildren().find((r) => r.id === BOB.id));
    const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    // The extension host's own Node (Electron's, under test-electron) runs the CLI.
    // Asynchronously: the gateway runs in this very process and must keep answering the CLI's notice.
    const out = await new Promise<string>((resolve, reject) => {
      cp.execFile(process.execPath, [cli, 'pairing', 'approve', request.code, '--config', configFile, '--state-dir', path.join(workspaceDir(), '.teams-bot')], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    assert.match(out, /Approved/);
    assert.match(out, /The sender was told they are approved/);
    // Event-based: the row goes when the store's watch sees the CLI's write; 10 s is only a hang guard.
    await waitFor('the row to disappear', () => !a.pairingTree.getChildren().some((r) => r.id === BOB.id), 10_000);
  });

  it('Simulate Incoming Message runs through the same pipeline, marked simulated, and captures the bot reply', async () => {
    const a = await api();
    const replies: string[] = [];
    const off = a.ctx.host.on('simulatorReply', (r) => replies.push(String(r.activity.text)));
    const record = (await vscode.commands.executeCommand('teamsBot.simulateMessage', { user: ALICE, kind: 'personal', text: 'simulated hi' })) as { source: string; reason: string };
    assert.equal(record.source, 'simulated');
    assert.equal(record.reason, 'echo');
    await waitFor('the echo reply', () => replies.includes('Echo: simulated hi'));
    off();
    // Alice's approval came from pairing, which opens personal chats only: a group chat still drops her.
    const group = (await vscode.commands.executeCommand('teamsBot.simulateMessage', { user: ALICE, kind: 'groupChat', text: 'no mention' })) as { reason: string };
    assert.equal(group.reason, 'group-not-allowlisted');
  });

  it('config diagnostics flag a password in the file, and the quick fix moves it to Secret Storage', async () => {
    const a = await api();
    const original = fs.readFileSync(configFile, 'utf8');
    const withSecret = original.replace('{', '{\n  "appPassword": "p4ssw0rd-in-file",');
    const doc = await vscode.workspace.openTextDocument(configFile);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), withSecret));
    await doc.save();
    const diagnostics = a.diagnostics.check(doc);
    const secret = diagnostics.find((d) => d.code === 'secret-in-file');
    assert.ok(secret, JSON.stringify(diagnostics.map((d) => d.message)));
    assert.ok(!secret.message.includes('p4ssw0rd-in-file'));
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, secret.range)) as vscode.CodeAction[];
    const move = actions.find((x) => x.title === 'Move appPassword to Secret Storage');
    assert.ok(move?.command, JSON.stringify(actions.map((x) => x.title)));
    await vscode.commands.executeCommand(move.command.command, ...(move.command.arguments ?? []));
    assert.ok(!fs.readFileSync(configFile, 'utf8').includes('p4ssw0rd-in-file'));
    assert.equal(await a.ctx.secrets.get(undefined), 'p4ssw0rd-in-file');
    await a.ctx.secrets.delete(undefined);
  });

  it('the semantic check for an empty allowlist offers to switch to pairing', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content: '{ "dmPolicy": "allowlist" }' });
    // Untitled documents are not the config; check a saved copy instead.
    const tmp = path.join(workspaceDir(), 'sub', 'teams-bot.config.json');
    fs.mkdirSync(path.dirname(tmp), { recursive: true });
    fs.writeFileSync(tmp, doc.getText());
    const saved = await vscode.workspace.openTextDocument(tmp);
    const diagnostics = a.diagnostics.check(saved);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['allowlist-empty', vscode.DiagnosticSeverity.Error]]);
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', saved.uri, diagnostics[0].range)) as vscode.CodeAction[];
    assert.ok(actions.some((x) => /dmPolicy "pairing"/.test(x.title)));
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  });

  it('Set App Password stores it in Secret Storage, not in the config file', async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.setAppPassword', 'sekret-value-123');
    assert.equal(await a.ctx.secrets.get(undefined), 'sekret-value-123');
    assert.ok(!fs.readFileSync(configFile, 'utf8').includes('sekret-value-123'));
    await vscode.commands.executeCommand('teamsBot.clearAppPassword');
    assert.equal(await a.ctx.secrets.get(undefined), undefined);
  });

  it('Stop Webhook stops it and the state says so', async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    assert.equal(a.ctx.host.state.status, 'stopped');
  });
});
