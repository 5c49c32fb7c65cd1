import * as vscode from 'vscode';
import { conversationLabel, toConversationReference, type ConversationReferenceEntry } from '../../core/conversations/conversationStore';
import type { Ctx } from '../ctx';
import type { ActivityTreeProvider } from '../views/activityTree';
import { ConversationsTreeProvider, type ConversationNode } from '../views/conversationsTree';

/**
 * The Conversations view and its actions: Send Message as Bot… (a proactive
 * message through the running gateway, so it is sent and recorded exactly as
 * the webhook's own replies are), Copy Conversation Reference, Show Activities.
 * Subscribes its parts to the extension; returns the view for the extension's API.
 */
export function registerConversations(ctx: Ctx, activityTree: ActivityTreeProvider): ConversationsTreeProvider {
  const tree = new ConversationsTreeProvider(ctx);
  ctx.subscribe(
    tree,
    vscode.commands.registerCommand('teamsBot.sendMessageAsBot', async (arg?: ConversationNode | string, textArg?: string) => {
      const conversation = await pick(ctx, tree, arg, 'Send Message as Bot');
      if (!conversation) return undefined;
      const gateway = ctx.host.gateway;
      if (!gateway) {
        void ctx.toasts.error('The webhook is not running: start it first (Teams Bot: Start Webhook). Messages are sent with its config and credentials, and recorded in its Activities.', 'Start Webhook')
          .then((choice) => (choice ? vscode.commands.executeCommand('teamsBot.startWebhook') : undefined));
        return undefined;
      }
      const label = conversationLabel(conversation);
      const text = textArg ?? await vscode.window.showInputBox({
        title: `Send Message as Bot to ${label}`,
        prompt: conversation.simulated ? 'A simulated conversation: the message goes to the Activities view.' : 'Sent as the bot, with its credentials, through the Bot Connector.',
        placeHolder: 'Message text',
        validateInput: (value) => (value.trim() ? undefined : 'Type a message.'),
      });
      if (!text?.trim()) return undefined;
      try {
        const sent = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Sending to ${label}…` },
          () => gateway.sendProactive(conversation.id, text),
        );
        activityTree.refresh();
        if (sent.result.ok) void ctx.toasts.info(`Sent to ${label} as the bot (HTTP ${sent.result.status}).`);
        else void ctx.toasts.error(`Not sent to ${label}: ${sent.result.detail}`, 'Show Activities').then((choice) => (choice ? activityTree.showConversation({ id: conversation.id, name: label }) : undefined));
        return sent;
      } catch (err) {
        void ctx.toasts.error((err as Error).message);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('teamsBot.copyConversationReference', async (arg?: ConversationNode | string) => {
      const conversation = await pick(ctx, tree, arg, 'Copy Conversation Reference');
      if (!conversation) return undefined;
      const json = JSON.stringify(toConversationReference(conversation), null, 2);
      await vscode.env.clipboard.writeText(json);
      void ctx.toasts.info(`Copied the conversation reference of ${conversationLabel(conversation)} (Bot Framework ConversationReference JSON).`);
      return json;
    }),
    vscode.commands.registerCommand('teamsBot.showConversationActivities', async (arg?: ConversationNode | string) => {
      const conversation = await pick(ctx, tree, arg, 'Show Activities of a Conversation');
      if (!conversation) return undefined;
      await activityTree.showConversation({ id: conversation.id, name: conversationLabel(conversation) });
      await vscode.commands.executeCommand('teamsBot.activities.focus');
      return conversation.id;
    }),
  );
  return tree;
}

/** The row's conversation, one named by id (tests, other extensions), or a pick (the palette). */
async function pick(ctx: Ctx, tree: ConversationsTreeProvider, arg: ConversationNode | string | undefined, title: string): Promise<ConversationReferenceEntry | undefined> {
  if (arg && typeof arg === 'object' && 'conversation' in arg) return arg.conversation;
  const list = await tree.list();
  if (typeof arg === 'string') {
    const found = list.find((c) => c.id === arg);
    if (!found) void ctx.toasts.error(`No stored conversation ${arg}: the gateway keeps those it has received a message from.`);
    return found;
  }
  if (list.length === 0) {
    void ctx.toasts.info('No conversations yet: they appear when the webhook receives a message (from Teams, or Simulate Incoming Message).');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((c) => ({ label: conversationLabel(c), description: c.kind === 'groupChat' ? 'group chat' : c.kind, detail: c.id, conversation: c })),
    { title, placeHolder: 'Pick a conversation' },
  );
  return picked?.conversation;
}
