import * as vscode from 'vscode';
import type { Ctx } from './ctx';

/** "Alice Wilber wants to message your bot (code RWLGC4G5)" with Approve / Reject / Show. */
export function watchPairingRequests(ctx: Ctx): void {
  ctx.onStores((stores) => {
    stores.pairing.on('requested', (request) => {
      if (!ctx.notify('info')) return;
      const who = request.meta.name ?? request.id;
      void vscode.window
        .showInformationMessage(`${who} wants to message your bot (code ${request.code})`, 'Approve', 'Reject', 'Show')
        .then((choice) => {
          if (choice === 'Approve') return vscode.commands.executeCommand('teamsBot.approvePairing', request);
          if (choice === 'Reject') return vscode.commands.executeCommand('teamsBot.rejectPairing', request);
          if (choice === 'Show') return vscode.commands.executeCommand('teamsBot.pairing.focus');
          return undefined;
        });
    });
  });
}
