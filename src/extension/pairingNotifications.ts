import * as vscode from 'vscode';
import type { PairingRequest } from '../core/pairing/pairingRequest';
import type { Ctx } from './ctx';

/**
 * Senders whose new pairing request is announced by someone else: Simulate
 * Incoming Message shows one toast for its message (the request and what
 * happened to the message), so this watcher must not add a second one.
 */
const announcedElsewhere = new Set<string>();

/** While the returned undo has not run, new pairing requests from this sender raise no toast here. */
export function announcePairingElsewhere(senderId: string): () => void {
  announcedElsewhere.add(senderId);
  return () => announcedElsewhere.delete(senderId);
}

/** "Alice Wilber wants to message your bot (code RWLGC4G5)" with Approve / Reject / Show. */
export function watchPairingRequests(ctx: Ctx): void {
  // One listener, on the current stores: a new state dir's stores replace the old ones' listener.
  let off: (() => void) | undefined;
  ctx.onStores((stores) => {
    off?.();
    off = stores.pairing.on('requested', (request) => {
      if (!ctx.notify('info') || announcedElsewhere.has(request.id)) return;
      void askAboutPairing(ctx, `${request.meta.name ?? request.id} wants to message your bot (code ${request.code}).`, request, 'Show');
    });
  });
  ctx.subscribe(new vscode.Disposable(() => off?.()));
}

/** The one toast for a new pairing request; `show` is the third button ("Show" the sidebar, or "Show Activity"). */
export async function askAboutPairing(ctx: Ctx, message: string, request: PairingRequest, show: string, onShow?: () => unknown): Promise<unknown> {
  const choice = await ctx.toasts.info(message, 'Approve', 'Reject', show);
  if (choice === 'Approve') return vscode.commands.executeCommand('teamsBot.approvePairing', request);
  if (choice === 'Reject') return vscode.commands.executeCommand('teamsBot.rejectPairing', request);
  if (choice === show) return onShow ? onShow() : vscode.commands.executeCommand('teamsBot.pairing.focus');
  return undefined;
}
