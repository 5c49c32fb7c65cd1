import * as vscode from 'vscode';
import type { PairingRequest } from '../../core/pairingRequest';
import { approvePairing, rejectPairing, type ApproveResult } from '../../core/pairingActions';
import type { Ctx } from '../ctx';
import type { ActivityTreeProvider } from '../views/activityTree';
import { loadConfigModule, loadGatewayModule } from '../lazyModules';
import { currentAppId } from './configCommands';

export function registerPairingCommands(ctx: Ctx, activities: ActivityTreeProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('teamsBot.approvePairing', async (arg?: PairingRequest | string) => {
      const code = await pickCode(ctx, arg, 'Approve');
      if (!code) return undefined;
      try {
        const result = await approve(ctx, code);
        const who = result.request.meta.name ?? result.request.id;
        void vscode.window.showInformationMessage(`Approved ${who}: added to allowFrom. ${result.notice.sent ? 'They were told in Teams.' : result.notice.detail}`);
        return result;
      } catch (err) {
        void vscode.window.showErrorMessage((err as Error).message);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('teamsBot.rejectPairing', async (arg?: PairingRequest | string) => {
      const code = await pickCode(ctx, arg, 'Reject');
      const stores = ctx.stores();
      if (!code || !stores || !ctx.configFile) return undefined;
      try {
        const request = ctx.host.gateway ? await ctx.host.gateway.reject(code) : await rejectPairing({ configFile: ctx.configFile, store: stores.pairing, logger: ctx.logger }, code);
        void vscode.window.setStatusBarMessage(`Rejected ${request.meta.name ?? request.id}`, 4000);
        return request;
      } catch (err) {
        void vscode.window.showErrorMessage((err as Error).message);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('teamsBot.copyPairingCode', async (request: PairingRequest) => {
      await vscode.env.clipboard.writeText(request.code);
      void vscode.window.setStatusBarMessage(`Copied ${request.code}`, 3000);
    }),
    vscode.commands.registerCommand('teamsBot.showSenderActivities', async (request: PairingRequest) => {
      // The filter shows in the Activities view's description, with Clear Filters in its title bar.
      await activities.showSender({ id: request.id, name: request.meta.name });
      await vscode.commands.executeCommand('teamsBot.activities.focus');
    }),
  ];
}

/** Through the running gateway when there is one; otherwise directly, sending the notice with a connector of our own. */
export async function approve(ctx: Ctx, code: string): Promise<ApproveResult> {
  if (ctx.host.gateway) return ctx.host.gateway.approve(code);
  const stores = ctx.stores();
  if (!stores || !ctx.configFile) throw new Error('Open a folder first.');
  const appPassword = await ctx.secrets.get(await currentAppId(ctx));
  return approvePairing({
    configFile: ctx.configFile,
    store: stores.pairing,
    logger: ctx.logger,
    notify: async (request) => {
      const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(ctx.configFile!))).toString('utf8');
      const config = loadConfigModule().parseConfigText(text, { env: process.env, file: ctx.configFile }).config;
      if (!config) return { sent: false, detail: 'The config file is invalid, so the sender was not told.' };
      return loadGatewayModule().sendApprovalNotice(request, config, { appPassword }, ctx.logger);
    },
  }, code);
}

async function pickCode(ctx: Ctx, arg: PairingRequest | string | undefined, verb: string): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg?.code) return arg.code;
  const list = ctx.stores()?.pairing.list() ?? [];
  if (list.length === 0) {
    void vscode.window.showInformationMessage('No pairing requests are waiting.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((r) => ({ label: r.code, description: r.meta.name ?? r.id, detail: `${r.meta.count} message(s)`, code: r.code })),
    { title: `${verb} Pairing Request`, placeHolder: 'Pick a pending request' },
  );
  return picked?.code;
}
