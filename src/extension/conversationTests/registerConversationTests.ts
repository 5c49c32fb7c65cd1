import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import type { ActivityTreeProvider } from '../views/activityTree';
import { ConversationTestController, TEST_DIR, type ConversationTestsRunSummary, type RunConversationTestsOptions } from './conversationTestController';
import { saveConversationTest, type SaveConversationTestOptions } from './saveConversationTest';

/**
 * Conversation tests in the extension: the Test Explorer controller, Save as
 * Conversation Test… (Activities view) and Run Conversation Tests (the
 * command palette; resolves with what each item reported).
 */
export function registerConversationTests(ctx: Ctx, tree: ActivityTreeProvider): vscode.Disposable[] {
  // Discovery is lazy: VS Code calls the controller's resolveHandler when the Test Explorer is shown.
  const tests = new ConversationTestController(ctx);
  return [
    tests,
    vscode.commands.registerCommand('teamsBot.saveConversationTest', async (record?: ActivityRecord, options?: SaveConversationTestOptions | ActivityRecord[]) => {
      const result = await saveConversationTest(ctx, tree, record, Array.isArray(options) ? {} : options);
      if (result) await tests.discover();
      return result;
    }),
    vscode.commands.registerCommand('teamsBot.runConversationTests', async (options?: RunConversationTestsOptions): Promise<ConversationTestsRunSummary> => {
      await tests.discover();
      if (tests.controller.items.size === 0) {
        void ctx.toasts.info(`No conversation tests under ${TEST_DIR}/: save one with Save as Conversation Test… on an Activities row.`);
        return { passed: 0, failed: 0, items: [] };
      }
      return tests.run(new vscode.TestRunRequest(), options ?? {});
    }),
  ];
}
