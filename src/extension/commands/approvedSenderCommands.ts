import * as vscode from 'vscode';
import { revokeApproval, promoteApproval, type ApprovedSenderView } from '../../core/pairing/pairingActions';
import type { ApprovedSender } from '../../core/pairing/allowStore';
import type { Ctx } from '../ctx';
import type { ApprovedSendersTreeProvider } from '../views/approvedSendersTree';

/**
 * Revoke and Promote to Config for the Approved Senders view: through the
 * running gateway when there is one (it applies a promotion at once), else
 * the same core actions directly, as the CLI does.
 */
export function registerApprovedSenderCommands(ctx: Ctx, tree: ApprovedSendersTreeProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('teamsBot.revokeApproval', async (arg?: ApprovedSenderView | string) => {
      const id = await pickSender(ctx, tree, arg, 'Revoke Pairing Approval');
      const stores = ctx.stores();
      if (!id || !stores || !ctx.configFile) return undefined;
      try {
        const gateway = ctx.host.gateway;
        const removed: ApprovedSender = gateway ? await gateway.revoke(id) : await revokeApproval({ configFile: ctx.configFile, store: stores.pairing, logger: ctx.logger }, id);
        tree.refresh();
        void ctx.toasts.info(`Revoked the pairing approval of ${removed.name ?? removed.id ?? removed.entry}: their next personal message starts a new pairing.`);
        return removed;
      } catch (err) {
        void ctx.toasts.error((err as Error).message);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('teamsBot.promoteApproval', async (arg?: ApprovedSenderView | string) => {
      const id = await pickSender(ctx, tree, arg, 'Promote Approved Sender to Config');
      const stores = ctx.stores();
      if (!id || !stores || !ctx.configFile) return undefined;
      try {
        const gateway = ctx.host.gateway;
        const result = gateway ? await gateway.promote(id) : await promoteApproval({ configFile: ctx.configFile, store: stores.pairing, logger: ctx.logger }, id);
        tree.refresh();
        const who = result.sender.name ?? result.sender.id ?? result.sender.entry;
        void ctx.toasts.info(`${who} is now in allowFrom in ${vscode.workspace.asRelativePath(ctx.configFile)}: personal chats, and group chats and channels while groupAllowFrom is unset or empty.`);
        return result;
      } catch (err) {
        void ctx.toasts.error((err as Error).message);
        return undefined;
      }
    }),
  ];
}

/** The row's entry, or a pick among the pairing approvals (the palette). */
async function pickSender(ctx: Ctx, tree: ApprovedSendersTreeProvider, arg: ApprovedSenderView | string | undefined, title: string): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg?.entry) return arg.entry;
  const approvals = (await tree.list()).filter((s) => s.source === 'pairing');
  if (approvals.length === 0) {
    void ctx.toasts.info('Nobody is approved by pairing. Entries in the config\'s allowFrom are edited in the file.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    approvals.map((s) => ({ label: s.name ?? s.id ?? s.entry, description: s.entry, entry: s.entry })),
    { title, placeHolder: 'Pick an approved sender' },
  );
  return picked?.entry;
}
