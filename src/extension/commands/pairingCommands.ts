import * as vscode from 'vscode';
import type { PairingRequest } from '../../core/pairing/pairingRequest';
import { approvePairing, rejectPairing, type ApproveResult } from '../../core/pairing/pairingActions';
import type { Ctx } from '../ctx';
import { plural } from '../../core/plural';
import { capitalize } from '../../core/displayText';
import { isSimulatorServiceUrl } from '../../core/gateway/simulatorUrl';
import type { ActivityTreeProvider } from '../views/activityTree';
import { loadGatewayModule } from '../lazyModules';
import { currentAppId } from './configCommands';

export function registerPairingCommands(ctx: Ctx, activities: ActivityTreeProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('teamsBot.approvePairing', async (arg?: PairingRequest | string) => {
      const code = await pickCode(ctx, arg, 'Approve');
      if (!code) return undefined;
      try {
        const result = await approve(ctx, code);
        void ctx.toasts.info(approvalMessage(result));
        return result;
      } catch (err) {
        void ctx.toasts.error((err as Error).message);
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
        void ctx.toasts.error((err as Error).message);
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

/**
 * What the developer is told after an approval: where the "you are approved"
 * notice really went. A sender whose conversation is the built-in simulator
 * (Simulate Incoming Message, or a curl with the simulator's serviceUrl) sees
 * it in the simulator's reply and the Activities view, not in Teams.
 */
export function approvalMessage(result: ApproveResult): string {
  const who = result.request.meta.name ?? result.request.id;
  const head = `Approved ${who}${result.added ? '' : ' (already approved)'}.`;
  if (!result.notice.sent) return `${head} ${capitalize(result.notice.detail.replace(/\.$/, ''))}.`;
  if (isSimulatorServiceUrl(result.request.meta.serviceUrl)) return `${head} The approval notice went to the simulator (see the Activities view): a simulated user is not in Teams.`;
  return `${head} They were told in Teams.`;
}

/** Through the running gateway when there is one; otherwise directly, sending the notice with a connector of our own. */
export async function approve(ctx: Ctx, code: string): Promise<ApproveResult> {
  if (ctx.host.gateway) return ctx.host.gateway.approve(code);
  const stores = ctx.stores();
  if (!stores || !ctx.configFile) throw new Error('Open a folder first.');
  const appPassword = await ctx.secrets.get(await currentAppId(ctx));
  const configFile = ctx.configFile;
  return approvePairing({
    configFile,
    store: stores.pairing,
    logger: ctx.logger,
    via: 'vscode',
    // The same notify step as the CLI's (core approvalNotifier): honours pairing.notifyOnApprove, and a missing or invalid config file is a notice not sent, never an error after the approval happened.
    notify: loadGatewayModule().approvalNotifier(configFile, { appPassword }, ctx.logger),
  }, code);
}

async function pickCode(ctx: Ctx, arg: PairingRequest | string | undefined, verb: string): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg?.code) return arg.code;
  const list = ctx.stores()?.pairing.list() ?? [];
  if (list.length === 0) {
    void ctx.toasts.info('No pairing requests are waiting.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((r) => ({ label: r.code, description: r.meta.name ?? r.id, detail: plural(r.meta.count, 'message'), code: r.code })),
    { title: `${verb} Pairing Request`, placeHolder: 'Pick a pending request' },
  );
  return picked?.code;
}
