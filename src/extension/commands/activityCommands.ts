import * as vscode from 'vscode';
import type { ActivityRecord } from '../../core/activityRecord';
import { toTranscript } from '../../core/transcript';
import { addToAllowFrom } from '../../core/config/configWriter';
import type { Ctx } from '../ctx';
import type { ActivityTreeProvider } from '../views/activityTree';
import { activityUri } from '../views/activityDocument';
import { approve } from './pairingCommands';
import { readRawConfig } from '../setup/setupConfig';

export function registerActivityCommands(ctx: Ctx, tree: ActivityTreeProvider): vscode.Disposable[] {
  const setFilter = (only: boolean) => {
    tree.onlyUndelivered = only;
    tree.refresh();
    void vscode.commands.executeCommand('setContext', 'teamsBot.onlyUndelivered', only);
  };
  return [
    vscode.commands.registerCommand('teamsBot.showActivity', async (record: ActivityRecord) => {
      const doc = await vscode.workspace.openTextDocument(activityUri(record));
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }),
    vscode.commands.registerCommand('teamsBot.showOnlyUndelivered', () => setFilter(true)),
    vscode.commands.registerCommand('teamsBot.showAllActivities', () => {
      tree.senderFilter = undefined;
      setFilter(false);
    }),
    vscode.commands.registerCommand('teamsBot.clearActivities', async () => {
      const stores = ctx.stores();
      if (!stores) return;
      const choice = await vscode.window.showWarningMessage('Clear the activity log? Recorded activities are deleted from memory and disk.', { modal: true }, 'Clear');
      if (choice === 'Clear') await stores.activities.clear();
    }),
    vscode.commands.registerCommand('teamsBot.replayActivity', async (record: ActivityRecord) => {
      const gateway = ctx.host.gateway;
      if (!gateway) {
        void vscode.window.showErrorMessage('Start the webhook to replay an activity.', 'Start Webhook').then((c) => c && vscode.commands.executeCommand('teamsBot.startWebhook'));
        return undefined;
      }
      try {
        const result = await gateway.replay(record.id);
        void vscode.window.showInformationMessage(`Replayed as simulated: ${result.fate} (${result.reason}).`);
        return result;
      } catch (err) {
        void vscode.window.showErrorMessage((err as Error).message);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('teamsBot.approveSender', async (arg: ActivityRecord | { id: string; name?: string; aadObjectId?: string }) => {
      const sender = 'summary' in arg ? { id: arg.summary.senderId!, name: arg.summary.senderName, aadObjectId: arg.summary.aadObjectId } : arg;
      const configFile = ctx.configFile;
      if (!sender.id || !configFile) return undefined;
      const pending = ctx.stores()?.pairing.getBySender(sender.id);
      if (pending) return vscode.commands.executeCommand('teamsBot.approvePairing', pending.code);
      const entry = sender.aadObjectId ?? sender.id;
      const key = 'summary' in arg && arg.reason === 'group-not-allowlisted' && Array.isArray((await readRawConfig(ctx)).groupAllowFrom) ? 'groupAllowFrom' : 'allowFrom';
      const added = await addToAllowFrom(configFile, entry, key);
      ctx.logger.info(`[msteams] ${key}+=${entry} (${sender.name ?? sender.id})${added ? '' : ' (already there)'}`);
      void vscode.window.showInformationMessage(added ? `Added ${sender.name ?? sender.id} to ${key}.` : `${sender.name ?? sender.id} is already in ${key}.`);
      return added;
    }),
    vscode.commands.registerCommand('teamsBot.copyAsCurl', async (record: ActivityRecord) => {
      await vscode.env.clipboard.writeText(curlFor(record, ctx.host.state.url ?? 'http://127.0.0.1:3978/api/messages'));
      void vscode.window.setStatusBarMessage('Copied a curl command (without Authorization)', 3000);
    }),
    vscode.commands.registerCommand('teamsBot.exportTranscript', async (record?: ActivityRecord) => {
      const stores = ctx.stores();
      if (!stores) return undefined;
      const all = stores.activities.list({ limit: 100_000 });
      const records = record?.summary.conversationId ? all.filter((r) => r.summary.conversationId === record.summary.conversationId) : all;
      const target = await vscode.window.showSaveDialog({
        defaultUri: ctx.folder ? vscode.Uri.joinPath(ctx.folder.uri, `teams-bot-${new Date().toISOString().slice(0, 10)}.transcript`) : undefined,
        filters: { 'Bot Framework transcript': ['transcript'] },
        title: 'Export Transcript',
      });
      if (!target) return undefined;
      await vscode.workspace.fs.writeFile(target, Buffer.from(toTranscript(records), 'utf8'));
      void vscode.window.showInformationMessage(`Exported ${records.length} activities to ${vscode.workspace.asRelativePath(target)}. Open it in the Bot Framework Emulator.`);
      return target;
    }),
  ];
}

/** A curl that replays the activity against the local webhook; the token is never included. */
export function curlFor(record: ActivityRecord, url: string): string {
  const body = JSON.stringify(record.activity ?? {});
  const quoted = `'${body.replace(/'/g, `'\\''`)}'`;
  const auth = record.auth === 'jwt-valid' || record.auth === 'jwt-invalid' ? " \\\n  -H 'Authorization: Bearer <a Bot Framework token>'" : '';
  return `curl -X POST '${url}' \\\n  -H 'Content-Type: application/json'${auth} \\\n  -d ${quoted}`;
}


export { approve };
