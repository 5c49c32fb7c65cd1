import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { loadGatewayModule } from '../lazyModules';
import type { FileResult } from '../../core/conversationTest/results';
import type { ConversationFile } from '../../core/conversationTest/testFormat';
import { readConversationOutline } from '../../core/conversationTest/conversationOutline';
import { plural } from '../../core/plural';

/**
 * Conversation tests in VS Code's Test Explorer (the vscode.tests API): one
 * item per file under test/conversations/ (*.conversation.json and
 * *.transcript), one child per step, the diff in a failing step's message.
 * Two run profiles: Run compares, Record Replies re-records the expected
 * replies from the bot (`teams-bot-dev test --update`). Runs go through the
 * same core runner as the CLI, so both report the same steps the same way.
 */

export const TEST_DIR = 'test/conversations';
const GLOB = `${TEST_DIR}/**/*.{conversation.json,transcript}`;
const BOT_URL_KEY = 'teamsBot.conversationTests.botUrl';
const DEFAULT_BOT_URL = 'http://127.0.0.1:3979/api/messages';

export interface RunConversationTestsOptions {
  /** The bot to test; otherwise the running webhook's bot, else the last one used, else asked for. */
  botUrl?: string;
  /** Record Replies: write the bot's replies as the expected ones. */
  update?: boolean;
  settleMs?: number;
}

/** What a run reported for each item: returned by the teamsBot.runConversationTests command. */
export interface ConversationTestsRunSummary {
  passed: number;
  failed: number;
  items: { id: string; label: string; state: 'passed' | 'failed' | 'errored'; message?: string }[];
}

export class ConversationTestController implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.controller = vscode.tests.createTestController('teamsBot.conversationTests', 'Teams Bot Conversations');
    this.controller.resolveHandler = async (item) => {
      if (item) await this.loadSteps(item);
      else await this.discover();
    };
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request) => void this.run(request, {}), true);
    this.controller.createRunProfile('Record Replies (update)', vscode.TestRunProfileKind.Run, (request) => void this.run(request, { update: true }), false);
    const folder = ctx.folder;
    if (folder) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, GLOB));
      const reload = (uri: vscode.Uri) => {
        const item = this.controller.items.get(uri.toString());
        if (item) void this.loadSteps(item);
        else this.addFile(uri);
      };
      this.disposables.push(
        watcher,
        watcher.onDidCreate(reload),
        watcher.onDidChange(reload),
        watcher.onDidDelete((uri) => this.controller.items.delete(uri.toString())),
      );
    }
    this.disposables.push(this.controller);
  }

  /**
   * Finds every test file under test/conversations/ and reads its steps.
   * Called when the Test Explorer first asks (resolveHandler), a run or a
   * save needs it: never at activation.
   */
  async discover(): Promise<void> {
    const folder = this.ctx.folder;
    if (!folder) return;
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, GLOB));
    const ids = new Set(uris.map((u) => u.toString()));
    this.controller.items.forEach((item) => {
      if (!ids.has(item.id)) this.controller.items.delete(item.id);
    });
    await Promise.all(uris.map((uri) => this.loadSteps(this.addFile(uri))));
  }

  /**
   * Runs the files of the request (a step runs its whole file: each step
   * needs the conversation so far) and reports every step. Resolves with what
   * was reported.
   */
  async run(request: vscode.TestRunRequest, options: RunConversationTestsOptions): Promise<ConversationTestsRunSummary> {
    const summary: ConversationTestsRunSummary = { passed: 0, failed: 0, items: [] };
    if (!request.include) await this.discover();
    const fileItems = this.filesOf(request);
    const run = this.controller.createTestRun(request, options.update ? 'Record Replies' : 'Conversation tests');
    const report = (item: vscode.TestItem, state: 'passed' | 'failed' | 'errored', message?: string, durationMs?: number) => {
      summary.items.push({ id: item.id, label: item.label, state, message });
      if (state === 'passed') run.passed(item, durationMs);
      else if (state === 'failed') run.failed(item, new vscode.TestMessage(message ?? ''), durationMs);
      else run.errored(item, new vscode.TestMessage(message ?? ''), durationMs);
    };
    try {
      const runtime = loadGatewayModule();
      const files: { item: vscode.TestItem; file: ConversationFile }[] = [];
      for (const item of fileItems) {
        run.started(item);
        try {
          files.push({ item, file: await runtime.readConversationFile(item.uri!.fsPath) });
        } catch (err) {
          report(item, 'errored', (err as Error).message);
        }
      }
      if (files.length === 0) return summary;
      const botUrl = options.botUrl ?? (await this.botUrl());
      if (!botUrl) {
        for (const { item } of files) report(item, 'errored', 'No bot to test: give its messaging endpoint (e.g. http://127.0.0.1:3979/api/messages).');
        return summary;
      }
      await this.ctx.extension.workspaceState.update(BOT_URL_KEY, botUrl);
      const byFile = new Map(files.map((f) => [f.file.file, f.item]));
      const result = await runtime.runConversationTests({
        files: files.map((f) => f.file),
        botUrl,
        settleMs: options.settleMs ?? 500,
        update: options.update,
        logger: this.ctx.logger,
        onFile: (fileResult) => this.reportFile(byFile.get(fileResult.file)!, fileResult, report, run),
      });
      summary.passed = result.passed;
      summary.failed = result.failed;
    } catch (err) {
      for (const item of fileItems) report(item, 'errored', `The conversation tests could not run: ${(err as Error).message}`);
    } finally {
      run.end();
    }
    return summary;
  }

  private reportFile(item: vscode.TestItem, result: FileResult, report: (item: vscode.TestItem, state: 'passed' | 'failed', message?: string, durationMs?: number) => void, run: vscode.TestRun): void {
    const runtime = loadGatewayModule();
    let failed = 0;
    for (const step of result.steps) {
      const stepItem = item.children.get(stepId(item, step.index)) ?? this.addStep(item, step.index, step.title);
      if (step.status === 'failed') {
        failed++;
        report(stepItem, 'failed', `${step.title}\n${runtime.failureText(step)}`, step.durationMs);
      } else {
        if (step.status === 'updated') run.appendOutput(`Recorded the bot's replies for ${item.label} › ${step.title}\r\n`, undefined, stepItem);
        report(stepItem, 'passed', undefined, step.durationMs);
      }
    }
    const total = result.steps.reduce((ms, s) => ms + s.durationMs, 0);
    if (failed) report(item, 'failed', `${failed} of ${plural(result.steps.length, 'step')} failed`, total);
    else report(item, 'passed', undefined, total);
    if (result.updatedFile) run.appendOutput(`Recorded the bot's replies in ${vscode.workspace.asRelativePath(result.updatedFile)}\r\n`);
  }

  /** The bot behind the running webhook (F5 or bot.url), else the last one used here, else asked for. */
  private async botUrl(): Promise<string | undefined> {
    const bot = this.ctx.host.gateway?.config?.bot;
    if (bot?.url && !bot.echo) return bot.url;
    const last = this.ctx.extension.workspaceState.get<string>(BOT_URL_KEY);
    return vscode.window.showInputBox({
      title: 'Run Conversation Tests',
      prompt: 'Your bot\'s messaging endpoint (the bot must be running)',
      value: last ?? DEFAULT_BOT_URL,
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'An http:// or https:// URL, e.g. http://127.0.0.1:3979/api/messages'),
    });
  }

  private filesOf(request: vscode.TestRunRequest): vscode.TestItem[] {
    const items: vscode.TestItem[] = [];
    const add = (item: vscode.TestItem) => {
      const file = item.parent ?? item;
      if (!items.includes(file) && !request.exclude?.includes(file)) items.push(file);
    };
    if (request.include) request.include.forEach(add);
    else this.controller.items.forEach(add);
    return items;
  }

  private addFile(uri: vscode.Uri): vscode.TestItem {
    const existing = this.controller.items.get(uri.toString());
    if (existing) return existing;
    const item = this.controller.createTestItem(uri.toString(), vscode.workspace.asRelativePath(uri), uri);
    item.canResolveChildren = true;
    this.controller.items.add(item);
    return item;
  }

  private addStep(file: vscode.TestItem, index: number, title: string): vscode.TestItem {
    const step = this.controller.createTestItem(stepId(file, index), title, file.uri);
    step.sortText = String(index).padStart(6, '0');
    file.children.add(step);
    return step;
  }

  private async loadSteps(item: vscode.TestItem): Promise<void> {
    if (item.parent) return;
    try {
      // The light reader: listing steps must not load dist/gateway.js (the schema check runs with the test).
      const outline = await readConversationOutline(item.uri!.fsPath);
      item.error = undefined;
      item.children.replace([]);
      outline.steps.forEach((title, i) => this.addStep(item, i + 1, title));
      if (outline.name) item.description = outline.name;
    } catch (err) {
      item.error = (err as Error).message;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function stepId(file: vscode.TestItem, index: number): string {
  return `${file.id}#step-${index}`;
}
