import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import type { ActivityTreeProvider } from '../views/activityTree';
import { ConversationTestController, type RunConversationTestsOptions } from './conversationTestController';
import { saveConversationTest, type SaveConversationTestOptions } from './saveConversationTest';

/**
 * Conversation tests in the extension: the Test Explorer controller, Save as
 * Conversation Test… (Activities view) and Run Conversation Tests (the
 * command palette; resolves with what each item reported).
 */
export function registerConversationTests(ctx: Ctx, tree: ActivityTreeProvider): vscode.Disposable[] {
  const tests = new ConversationTestController(ctx);
  void tests.discover();
  return [
    tests,
    vscode.commands.registerCommand('teamsBot.saveConversationTest', async (record?: ActivityRecord, options?: SaveConversationTestOptions | ActivityRecord[]) => {
      const result = await saveConversationTest(ctx, tree, record, Array.isArray(options) ? {} : options);
      if (result) await tests.discover();
      return result;
    }),
    vscode.commands.registerCommand('teamsBot.runConversationTests', (options?: RunConversationTestsOptions) =>
      tests.run(new vscode.TestRunRequest(), options ?? {})),
  ];
}
