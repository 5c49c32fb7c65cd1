import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import { plural } from '../../core/plural';
import { loadGatewayModule } from '../lazyModules';
import type { ActivityTreeProvider } from '../views/activityTree';
import { TEST_DIR } from './conversationTestController';

export interface SaveConversationTestOptions {
  /** Where to write; asked for (under test/conversations/) when absent. */
  target?: vscode.Uri;
}

export interface SaveConversationTestResult {
  target: vscode.Uri;
  steps: number;
  message: string;
}

/**
 * Save as Conversation Test… on an Activities row: the conversation that row
 * belongs to, as a conversation test under test/conversations/. What reached
 * the bot is saved (see core conversationFromRecords); Record Replies in the
 * Test Explorer, or `teams-bot-dev test --update`, then records its replies.
 */
export async function saveConversationTest(ctx: Ctx, tree: ActivityTreeProvider, record?: ActivityRecord, options: SaveConversationTestOptions = {}): Promise<SaveConversationTestResult | undefined> {
  const picked = record ?? tree.view.selection[0];
  const conversationId = picked?.summary.conversationId;
  if (!picked || !conversationId) {
    void ctx.toasts.info('Pick an activity that belongs to a conversation to save that conversation as a test.');
    return undefined;
  }
  const records = ctx.stores()?.activities.list({ limit: Number.MAX_SAFE_INTEGER }).filter((r) => r.summary.conversationId === conversationId) ?? [];
  const who = picked.summary.senderName ?? picked.summary.senderId ?? conversationId;
  const runtime = loadGatewayModule();
  const test = runtime.conversationFromRecords(records, `conversation with ${who}`);
  if (test.steps.length === 0) {
    void ctx.toasts.info(`Nothing in this conversation reached the bot (every activity was dropped or rejected), so there is nothing to replay.`);
    return undefined;
  }
  let target = options.target;
  if (!target) {
    const folder = ctx.folder;
    target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder.uri, TEST_DIR, `${slug(who)}.conversation.json`) : undefined,
      filters: { 'Conversation test': ['conversation.json', 'json'] },
      title: 'Save as Conversation Test',
    });
  }
  if (!target) return undefined;
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
  await vscode.workspace.fs.writeFile(target, Buffer.from(runtime.formatConversationTest(test), 'utf8'));
  const message = `Saved ${plural(test.steps.length, 'step')} to ${vscode.workspace.asRelativePath(target)}. Run it with Record Replies in the Test Explorer (or teams-bot-dev test --update) to record what your bot answers.`;
  void ctx.toasts.info(message);
  return { target, steps: test.steps.length, message };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'conversation';
}
