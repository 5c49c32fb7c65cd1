import * as vscode from 'vscode';
import { ApprovalCancelledError, type ApprovalOutcome } from '../../core/openclaw/openclawPairings';
import { readOpenClawConfig } from '../../core/openclaw/openclawConfigFile';
import type { OpenClawPairingRequest } from '../../core/openclaw/openclawOutput';
import { ToolNotFoundError } from '../../core/process/toolNotFound';
import type { Ctx } from '../ctx';
import { installTool } from '../tools';
import { OpenClawController } from './openclawController';
import { OpenClawProblems } from './openclawProblems';
import { OpenClawTreeProvider, type OpenClawNode } from './openclawTree';

/** What Refresh OpenClaw Requests returns (also what the in-host tests read). */
export interface OpenClawSnapshot {
  found: boolean;
  stateDir: string;
  requests: readonly OpenClawPairingRequest[];
  approved: string[];
  error?: string;
}

/**
 * The OpenClaw companion: a view of an OpenClaw gateway's pending Microsoft
 * Teams pairings (shown when OpenClaw is found on this machine, which under
 * Remote-SSH is the gateway's host), Approve / Reject, a notification per new
 * request, and diagnostics for channels.msteams in openclaw.json.
 */
export function registerOpenClaw(ctx: Ctx): void {
  const controller = new OpenClawController(ctx);
  const tree = new OpenClawTreeProvider(controller);
  const problems = new OpenClawProblems(controller);
  let lastError = '';
  ctx.subscribe(
    controller,
    tree,
    problems,
    vscode.window.createTreeView('teamsBot.openclaw', { treeDataProvider: tree, showCollapseAll: false }),
    controller.onNewRequests((requests) => {
      if (!ctx.notify('info')) return;
      for (const request of requests) void announce(request);
    }),
    controller.onError((err) => {
      // Once per distinct failure: the safety refresh must not repeat the same toast every few minutes.
      if (err.message === lastError || !ctx.notify('error')) return;
      lastError = err.message;
      void explain(err);
    }),
    controller.onDidChange(() => {
      if (!controller.pairings?.lastError) lastError = '';
    }),
    vscode.commands.registerCommand('teamsBot.openclaw.approve', (arg?: OpenClawNode | OpenClawPairingRequest | string) => approve(arg)),
    vscode.commands.registerCommand('teamsBot.openclaw.reject', (arg?: OpenClawNode | OpenClawPairingRequest | string) => reject(arg)),
    vscode.commands.registerCommand('teamsBot.openclaw.refresh', async (): Promise<OpenClawSnapshot> => {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'OpenClaw: listing pairing requests' }, () => controller.refresh());
      return snapshot();
    }),
    vscode.commands.registerCommand('teamsBot.openclaw.validateConfig', async () => {
      const shown = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'OpenClaw: validating openclaw.json' }, () => problems.validate());
      return shown.map((d) => ({ message: d.message, line: d.range.start.line + 1, column: d.range.start.character + 1, source: d.source }));
    }),
    vscode.commands.registerCommand('teamsBot.openclaw.openConfig', async () => {
      await vscode.window.showTextDocument(vscode.Uri.file(controller.location.configPath));
    }),
  );
  void controller.rebuild();

  function snapshot(): OpenClawSnapshot {
    return {
      found: controller.found,
      stateDir: controller.location.stateDir,
      requests: controller.requests,
      approved: [...(controller.approved.ok ? controller.approved.senders.map((s) => s.entry) : []), ...controller.configAllowFrom],
      error: controller.pairings?.lastError?.message,
    };
  }

  async function announce(request: OpenClawPairingRequest): Promise<void> {
    const choice = await ctx.toasts.info(`${request.name ?? request.senderId} wants to message your OpenClaw bot in Teams (code ${request.code}).`, 'Approve', 'Show');
    if (choice === 'Approve') await vscode.commands.executeCommand('teamsBot.openclaw.approve', request);
    if (choice === 'Show') await vscode.commands.executeCommand('teamsBot.openclaw.focus');
  }

  async function explain(err: Error): Promise<void> {
    const actions = err instanceof ToolNotFoundError ? ['Install', 'Open Settings'] : ['Show Log'];
    const choice = await ctx.toasts.error(`OpenClaw: ${err.message}`, ...actions);
    if (choice === 'Install') await installTool('openclaw');
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'teamsBot.openclaw.cliPath');
    if (choice === 'Show Log') await vscode.commands.executeCommand('teamsBot.showLog');
  }

  async function pick(arg: OpenClawNode | OpenClawPairingRequest | string | undefined, verb: string): Promise<OpenClawPairingRequest | undefined> {
    if (arg && typeof arg === 'object' && 'kind' in arg) return arg.kind === 'request' ? arg.request : undefined;
    if (arg && typeof arg === 'object') return arg;
    const requests = controller.requests;
    if (typeof arg === 'string') return requests.find((r) => r.code === arg.toUpperCase());
    if (requests.length === 0) {
      void ctx.toasts.info('No OpenClaw pairing requests are waiting.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      requests.map((r) => ({ label: r.code, description: r.name ?? r.senderId, request: r })),
      { title: `${verb} an OpenClaw pairing request` },
    );
    return picked?.request;
  }

  async function approve(arg: OpenClawNode | OpenClawPairingRequest | string | undefined): Promise<ApprovalOutcome | undefined> {
    const request = await pick(arg, 'Approve');
    if (!request) return undefined;
    try {
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Approving ${request.name ?? request.code} in OpenClaw…` },
        () => controller.pairings.approve(request, { beforeCliApproval: () => confirmRewrite(request) }),
      );
      if (outcome.notified) void ctx.toasts.info(outcome.message);
      else void ctx.toasts.warning(outcome.message);
      return outcome;
    } catch (err) {
      if (!(err instanceof ApprovalCancelledError)) void ctx.toasts.error(`OpenClaw: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * Asked only on the CLI fallback (the gateway path never rewrites): OpenClaw's
   * first CLI approval makes the sender the command owner and saves
   * openclaw.json as plain JSON. Worded from what the file holds.
   */
  async function confirmRewrite(request: OpenClawPairingRequest): Promise<boolean> {
    const config = readOpenClawConfig(controller.location.configPath);
    if (config.hasCommandOwner) return true;
    const what = !config.exists
      ? 'sets commands.ownerAllowFrom in openclaw.json (there is none yet)'
      : config.hasComments
        ? 'sets commands.ownerAllowFrom and saves openclaw.json as plain JSON, so its comments are lost (the old file is kept as openclaw.json.bak)'
        : 'sets commands.ownerAllowFrom and saves openclaw.json again as plain JSON (the old file is kept as openclaw.json.bak)';
    const go = await ctx.toasts.warning(
      `OpenClaw's gateway is not running, so approving ${request.name ?? request.senderId} goes through the openclaw CLI, whose first approval ${what}.`,
      'Approve Anyway',
    );
    return go === 'Approve Anyway';
  }

  async function reject(arg: OpenClawNode | OpenClawPairingRequest | string | undefined): Promise<boolean> {
    const request = await pick(arg, 'Reject');
    if (!request) return false;
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Rejecting ${request.name ?? request.code} in OpenClaw…` },
        () => controller.pairings.reject(request),
      );
      void vscode.window.setStatusBarMessage(`Rejected ${request.name ?? request.senderId} in OpenClaw`, 4000);
      return true;
    } catch (err) {
      void ctx.toasts.error(`OpenClaw: ${(err as Error).message}`);
      return false;
    }
  }
}
