import * as vscode from 'vscode';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import { toTranscript } from '../../core/activity/transcript';
import { plural } from '../../core/plural';
import { addToAllowFrom } from '../../core/config/configWriter';
import type { Ctx } from '../ctx';
import type { ActivityTreeProvider } from '../views/activityTree';
import { activityUri } from '../views/activityDocument';
import { approve } from './pairingCommands';
import { approveSender } from '../../core/pairing/pairingActions';
import { readRawConfig } from '../setup/setupConfig';

export function registerActivityCommands(ctx: Ctx, tree: ActivityTreeProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('teamsBot.showActivity', async (record: ActivityRecord) => {
      const doc = await vscode.workspace.openTextDocument(activityUri(record));
      if (doc.languageId !== 'json') await vscode.languages.setTextDocumentLanguage(doc, 'json');
      // One preview tab in the active group: clicking down the list replaces it instead of splitting the editor again.
      return vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Active, preserveFocus: true });
    }),
    vscode.commands.registerCommand('teamsBot.showOnlyUndelivered', () => tree.showOnlyUndelivered(true)),
    vscode.commands.registerCommand('teamsBot.showAllActivities', () => tree.showOnlyUndelivered(false)),
    vscode.commands.registerCommand('teamsBot.showProbes', () => tree.showProbes(true)),
    vscode.commands.registerCommand('teamsBot.hideProbes', () => tree.showProbes(false)),
    vscode.commands.registerCommand('teamsBot.clearActivityFilters', () => tree.clearFilters()),
    vscode.commands.registerCommand('teamsBot.clearActivities', async () => {
      const stores = ctx.stores();
      if (!stores) return;
      const choice = await vscode.window.showWarningMessage('Clear the activity log? Recorded activities are deleted from memory and disk.', { modal: true }, 'Clear');
      if (choice === 'Clear') await stores.activities.clear();
    }),
    vscode.commands.registerCommand('teamsBot.replayActivity', async (record: ActivityRecord) => {
      const gateway = ctx.host.gateway;
      if (!gateway) {
        void ctx.toasts.error('Start the webhook to replay an activity.', 'Start Webhook').then((c) => c && vscode.commands.executeCommand('teamsBot.startWebhook'));
        return undefined;
      }
      try {
        const result = await gateway.replay(record.id);
        void ctx.toasts.info(`Replayed as simulated: ${result.fate} (${result.reason}).`);
        return result;
      } catch (err) {
        void ctx.toasts.error((err as Error).message);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('teamsBot.approveSender', async (arg: ActivityRecord | { id: string; name?: string; aadObjectId?: string }) => {
      const sender = 'summary' in arg ? { id: arg.summary.senderId!, name: arg.summary.senderName, aadObjectId: arg.summary.aadObjectId } : arg;
      const configFile = ctx.configFile;
      if (!sender.id || !configFile) return undefined;
      const pending = ctx.stores()?.pairing.getBySender(sender.id);
      if (pending) return vscode.commands.executeCommand('teamsBot.approvePairing', pending.code);
      const who = sender.name ?? sender.id;
      const raw = await readRawConfig(ctx);
      const dmPolicy = ctx.host.gateway?.config?.dmPolicy ?? raw.dmPolicy ?? 'pairing';
      const stores = ctx.stores();
      // A personal chat under dmPolicy "pairing": what an approved code grants (the allow store, personal chats only), not the config's allowFrom.
      if ('summary' in arg && arg.summary.conversationKind === 'personal' && dmPolicy === 'pairing' && stores) {
        const { added } = await approveSender({ store: stores.pairing, logger: ctx.logger, via: 'vscode' }, { ...sender, conversationId: arg.summary.conversationId });
        void ctx.toasts.info(`${added ? 'Approved' : 'Already approved:'} ${who} for personal chats only (.teams-bot/allowFrom.json). Group chats and channels still follow the config: Promote Approved Sender to Config… adds them there.`);
        return added;
      }
      const entry = sender.aadObjectId ?? sender.id;
      const key = 'summary' in arg && arg.reason === 'group-not-allowlisted' && Array.isArray(raw.groupAllowFrom) ? 'groupAllowFrom' : 'allowFrom';
      const added = await addToAllowFrom(configFile, entry, key);
      ctx.logger.info(`[msteams] ${key}+=${entry} (${who})${added ? '' : ' (already there)'}`);
      // Say the scope the entry grants: allowFrom is also the group fallback while groupAllowFrom is unset.
      const scope = key === 'groupAllowFrom'
        ? 'group chats and channels'
        : Array.isArray(raw.groupAllowFrom) ? 'personal chats' : 'personal chats, and group chats and channels too while groupAllowFrom is unset';
      void ctx.toasts.info(`${added ? `Added ${who} to` : `${who} is already in`} ${key} in the config: ${scope}.`);
      return added;
    }),
    vscode.commands.registerCommand('teamsBot.copyAsCurl', async (record: ActivityRecord) => {
      await vscode.env.clipboard.writeText(curlFor(record, ctx.host.state.url ?? 'http://127.0.0.1:3978/api/messages'));
      void vscode.window.setStatusBarMessage('Copied a curl command (without Authorization)', 3000);
    }),
    // Three scopes, each named in its title and its message: everything (palette), what the view shows (title bar), one conversation (row).
    // `{ target }` skips the save dialog (keybindings, other extensions, tests).
    vscode.commands.registerCommand('teamsBot.exportTranscript', (options?: ExportOptions) =>
      exportTranscript(ctx, ctx.stores()?.activities.list({ limit: Number.MAX_SAFE_INTEGER }) ?? [], 'all recorded activities', options?.target),
    ),
    vscode.commands.registerCommand('teamsBot.exportShownActivities', (options?: ExportOptions) => {
      const filter = tree.filter.describe();
      return exportTranscript(ctx, tree.shownRecords(), filter ? `the activities shown: ${filter}` : 'all activities shown', options?.target);
    }),
    // From a row's context menu VS Code passes (row, selected rows).
    vscode.commands.registerCommand('teamsBot.exportConversation', (record?: ActivityRecord, options?: ExportOptions | ActivityRecord[]) => {
      const picked = record ?? tree.view.selection[0];
      const conversationId = picked?.summary.conversationId;
      if (!picked || !conversationId) {
        void ctx.toasts.info('Pick an activity that belongs to a conversation to export that conversation.');
        return undefined;
      }
      const records = ctx.stores()?.activities.list({ limit: Number.MAX_SAFE_INTEGER }).filter((r) => r.summary.conversationId === conversationId) ?? [];
      return exportTranscript(ctx, records, conversationLabel(picked), Array.isArray(options) ? undefined : options?.target);
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

export interface ExportOptions {
  target?: vscode.Uri;
}

export interface ExportResult {
  target: vscode.Uri;
  count: number;
  /** The message shown, which names the scope. */
  message: string;
}

async function exportTranscript(ctx: Ctx, records: ActivityRecord[], scope: string, target?: vscode.Uri): Promise<ExportResult | undefined> {
  if (records.length === 0) {
    void ctx.toasts.info(`Nothing to export (${scope}): the list is empty.`);
    return undefined;
  }
  target ??= await vscode.window.showSaveDialog({
    defaultUri: ctx.folder ? vscode.Uri.joinPath(ctx.folder.uri, `teams-bot-${new Date().toISOString().slice(0, 10)}.transcript`) : undefined,
    filters: { 'Bot Framework transcript': ['transcript'] },
    title: `Export Transcript: ${scope}`,
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(toTranscript(records), 'utf8'));
  // What toTranscript writes: a record whose body was not JSON has nothing to replay.
  const count = records.filter((r) => r.activity !== null && typeof r.activity === 'object').length;
  const message = `Exported ${plural(count, 'activity', 'activities')} (${scope}) to ${vscode.workspace.asRelativePath(target)}. Open it in the Bot Framework Emulator.`;
  void ctx.toasts.info(message);
  return { target, count, message };
}

const KIND_NAMES = { personal: 'personal chat', groupChat: 'group chat', channel: 'channel' } as const;

/** "the personal chat with Alice Wilber", "the channel 19:…@thread.tacv2". */
function conversationLabel(record: ActivityRecord): string {
  const s = record.summary;
  const kind = s.conversationKind ? KIND_NAMES[s.conversationKind] : 'conversation';
  if (s.conversationKind === 'personal' && record.direction === 'inbound' && (s.senderName || s.senderId)) return `the ${kind} with ${s.senderName ?? s.senderId}`;
  return `the ${kind} ${s.conversationId ?? ''}`.trim();
}

export { approve };
