import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { loadChatModule } from '../lazyModules';
import { SIMULATED_USERS } from '../commands/simulateCommand';
import type { ChatPanelHandle } from './chatPanel';

/**
 * Teams Bot: Open Chat, and the serializer that brings the panel back after a window reload.
 * The panel itself (dist/chat.js) is required only when it opens.
 */
export function registerChat(ctx: Ctx): vscode.Disposable[] {
  const users = () => SIMULATED_USERS.map((u) => ({ ...u }));
  return [
    // Returns the panel's handle (tests read what it posted); a given text is typed and sent, as a user would.
    vscode.commands.registerCommand('teamsBot.openChat', (text?: string, options?: Parameters<ChatPanelHandle['compose']>[1]): ChatPanelHandle => {
      const handle = loadChatModule().openChatPanel(ctx, users());
      if (typeof text === 'string') handle.compose(text, options);
      return handle;
    }),
    vscode.window.registerWebviewPanelSerializer('teamsBot.chat', {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        loadChatModule().restoreChatPanel(ctx, panel, users());
      },
    }),
  ];
}
