import * as vscode from 'vscode';
import { applyEdits, modify, parse, parseTree, findNodeAtLocation } from 'jsonc-parser';
import { starterConfigText } from '../../core/config/configWriter';
import { readRawConfig, readSetupValues } from '../setup/setupConfig';
import type { ApprovedSenderView } from '../../core/pairing/pairingActions';
import type { Ctx } from '../ctx';

export function registerConfigCommands(ctx: Ctx): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('teamsBot.createConfig', () => createConfig(ctx)),
    // From a config-sourced Approved Senders row VS Code passes the row: reveal its allowFrom entry.
    vscode.commands.registerCommand('teamsBot.editConfig', async (key?: string | (string | number)[] | ApprovedSenderView, valueIfMissing?: unknown) =>
      editConfig(ctx, typeof key === 'object' && !Array.isArray(key) ? await allowFromPath(ctx, key.entry) : key, valueIfMissing)),
    vscode.commands.registerCommand('teamsBot.setAppPassword', (password?: string) => setAppPassword(ctx, password)),
    vscode.commands.registerCommand('teamsBot.clearAppPassword', async () => {
      const appId = await currentAppId(ctx);
      await ctx.secrets.delete(appId);
      void vscode.window.showInformationMessage(`The app password for ${appId ?? 'this workspace'} was removed from Secret Storage.`);
    }),
    vscode.commands.registerCommand('teamsBot.moveAppPasswordToSecretStorage', (uri: vscode.Uri) => movePasswordToSecretStorage(ctx, uri)),
  ];
}

/** The JSON path of an entry in the config's allowFrom (as written, case-insensitive), else allowFrom itself. */
async function allowFromPath(ctx: Ctx, entry: string): Promise<(string | number)[]> {
  const allowFrom: unknown = (await readRawConfig(ctx)).allowFrom;
  const index = Array.isArray(allowFrom) ? allowFrom.findIndex((e) => typeof e === 'string' && e.toLowerCase() === entry.toLowerCase()) : -1;
  return index >= 0 ? ['allowFrom', index] : ['allowFrom'];
}

/** Writes the commented starter file (never overwrites) and opens it. */
export async function createConfig(ctx: Ctx): Promise<vscode.Uri | undefined> {
  const file = ctx.configFile;
  if (!file) {
    void vscode.window.showErrorMessage('Open a folder first: the config file lives at its root.');
    return undefined;
  }
  const uri = vscode.Uri.file(file);
  const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
  if (!exists) {
    await vscode.workspace.fs.writeFile(uri, Buffer.from(starterConfigText(), 'utf8'));
    ctx.logger.info(`[config] created ${file}`);
  }
  await vscode.window.showTextDocument(uri, { preview: false });
  if (exists) void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(uri)} already exists; opened it.`);
  return uri;
}

/**
 * Opens the config and selects the VALUE at `key` ("dmPolicy", or a path such
 * as ["webhook", "port"]), so typing replaces it. A key that is not in the
 * file yet is added with `valueIfMissing` first (Change Port on a file that
 * relies on the default port).
 */
async function editConfig(ctx: Ctx, key?: string | (string | number)[], valueIfMissing?: unknown): Promise<vscode.Selection | undefined> {
  const file = ctx.configFile;
  if (!file) return;
  const uri = vscode.Uri.file(file);
  const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
  if (!exists) {
    const choice = await vscode.window.showInformationMessage(`There is no ${vscode.workspace.asRelativePath(uri)} yet.`, 'Create Config');
    if (choice) await createConfig(ctx);
    return;
  }
  const editor = await vscode.window.showTextDocument(uri, { preview: false });
  if (!key) return undefined;
  await caughtUpWithDisk(editor.document);
  const location = Array.isArray(key) ? key : [key];
  const find = () => {
    const root = parseTree(editor.document.getText());
    return root ? findNodeAtLocation(root, location) : undefined;
  };
  let node = find();
  if (!node && valueIfMissing !== undefined) {
    const text = editor.document.getText();
    const edits = modify(text, location, valueIfMissing, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
    await editor.edit((e) => {
      for (const edit of edits) e.replace(new vscode.Range(editor.document.positionAt(edit.offset), editor.document.positionAt(edit.offset + edit.length)), edit.content);
    });
    node = find();
  }
  if (!node) return undefined;
  const pos = editor.document.positionAt(node.offset);
  editor.selection = new vscode.Selection(pos, editor.document.positionAt(node.offset + node.length));
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
  return editor.selection;
}

/**
 * A config just written on disk (Promote, Approve Sender) may not have reached an open, unmodified
 * editor yet: wait (at most 3 s) for VS Code to reload it, so the entry to reveal is in the text.
 */
async function caughtUpWithDisk(doc: vscode.TextDocument): Promise<void> {
  if (doc.isDirty) return;
  const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(doc.uri));
  if (onDisk === doc.getText()) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
    const timer = setTimeout(done, 3000);
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === doc && doc.getText() === onDisk) done();
    });
  });
}

async function setAppPassword(ctx: Ctx, given?: string): Promise<boolean> {
  const appId = await currentAppId(ctx);
  const password = given ?? (await vscode.window.showInputBox({
    title: 'Teams Bot: App Password',
    prompt: `The client secret of app ${appId ?? '(no appId in the config yet)'}. It is kept in VS Code Secret Storage, never in a file or the log.`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter the client secret, or press Escape.'),
  }));
  if (!password) return false;
  await ctx.secrets.store(appId, password.trim());
  ctx.logger.info(`[config] app password for ${appId ?? 'this workspace'} saved in Secret Storage`);
  if (ctx.host.gateway) {
    // Not awaited: the command is done once the secret is stored.
    void vscode.window.showInformationMessage('App password saved. Restart the webhook to use it?', 'Restart Webhook').then((choice) => choice && vscode.commands.executeCommand('teamsBot.restartWebhook'));
  } else if (!given) {
    void vscode.window.showInformationMessage('App password saved in Secret Storage.');
  }
  return true;
}

/** The quick fix for a password found in the file: store it, then delete it from the file (comments kept). */
async function movePasswordToSecretStorage(ctx: Ctx, uri: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const text = doc.getText();
  const value = parse(text) as { appPassword?: unknown; appId?: unknown } | undefined;
  if (typeof value?.appPassword !== 'string' || !value.appPassword) return;
  await ctx.secrets.store(typeof value.appId === 'string' ? value.appId : undefined, value.appPassword);
  const edits = modify(text, ['appPassword'], undefined, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
  const next = applyEdits(text, edits);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(text.length)), next);
  await vscode.workspace.applyEdit(edit);
  await doc.save();
  ctx.logger.info('[config] moved appPassword from the config file to Secret Storage');
  void vscode.window.showInformationMessage('The app password is now in Secret Storage and no longer in the file. If the file was ever committed, rotate the secret.');
}

/** The app id whose password Secret Storage holds (MSTEAMS_APP_ID wins, as in the gateway). */
export async function currentAppId(ctx: Ctx): Promise<string | undefined> {
  return (await readSetupValues(ctx)).appId;
}
