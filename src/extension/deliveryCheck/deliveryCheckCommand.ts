import * as vscode from 'vscode';
import type { DeliveryCheckReport, HopResult } from '../../core/deliveryCheck/hops';
import type { Ctx } from '../ctx';
import { loadConfigModule, loadGatewayModule } from '../lazyModules';
import type { TunnelController } from '../tunnelController';
import { devtunnel, teamsCli } from '../tools';
import { reportHtml } from './reportHtml';
import { restrictedModeBlockers, restrictedModeMessage } from '../workspaceTrust';

export const DELIVERY_CHECK_COMMAND = 'teamsBot.deliveryCheck';

/** What the command resolves with: the report, and the page shown for it (the in-host tests read both). */
export interface DeliveryCheckView {
  report: DeliveryCheckReport;
  html: string;
  /** The panel's webview options: no script, no local files, only this report's commands. */
  options: vscode.WebviewOptions;
}

/**
 * Teams Bot: Run Delivery Check. Progress names each hop as it is decided;
 * the report opens in one reused webview beside the editor, failures first,
 * each fix a command link. The webview runs no script: only command: links
 * of the fixes in this report (and Run Again) are enabled
 * (enableCommandUris), so the page can trigger nothing else.
 */
export function registerDeliveryCheck(ctx: Ctx, tunnel: TunnelController): vscode.Disposable[] {
  let panel: vscode.WebviewPanel | undefined;
  const show = (report: DeliveryCheckReport): Omit<DeliveryCheckView, 'report'> => {
    const allowed = [DELIVERY_CHECK_COMMAND, ...new Set(report.hops.map((h) => h.fix?.command).filter((c): c is string => !!c && c.startsWith('teamsBot.')))];
    // The page loads nothing (CSP default-src 'none'); no local resource roots either, so no file of the workspace or the extension is served to it.
    const options: vscode.WebviewOptions = { enableScripts: false, enableCommandUris: allowed, localResourceRoots: [] };
    const html = reportHtml(report);
    if (!panel) {
      panel = vscode.window.createWebviewPanel('teamsBot.deliveryCheck', 'Delivery Check', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, options);
      panel.onDidDispose(() => (panel = undefined));
    } else {
      panel.webview.options = options;
      panel.reveal(vscode.ViewColumn.Beside);
    }
    panel.webview.html = html;
    return { html, options: panel.webview.options };
  };

  return [
    vscode.commands.registerCommand(DELIVERY_CHECK_COMMAND, async (): Promise<DeliveryCheckView | undefined> => {
      const configFile = ctx.configFile;
      const stateDir = ctx.stateDir;
      if (!configFile || !stateDir) {
        void ctx.toasts.error('Open the folder of your bot first: the Delivery Check reads its teams-bot.config.json.');
        return undefined;
      }
      // Restricted Mode: the credentials hop would send the app password where the cloned config's cloudOverrides say;
      // it is skipped with the reason (as Start Webhook refuses), the other hops still run.
      const blockers = await restrictedModeBlockers(ctx);
      const restricted = blockers.length ? restrictedModeMessage('The Credential Check', blockers) : undefined;
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Delivery Check', cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          const state = tunnel.state;
          return loadGatewayModule().runDeliveryCheck({
            configFile,
            stateDir,
            secrets: { appPassword: restricted ? undefined : await appPassword(ctx, configFile) },
            ...(restricted ? { checkCredentials: async () => ({ skipped: true as const, detail: restricted }) } : {}),
            devtunnel: devtunnel(ctx),
            teams: teamsCli(ctx),
            hostedTunnel: state.status === 'running' ? { id: state.id, port: state.port, url: state.url } : undefined,
            signal: controller.signal,
            onHop: (hop: HopResult) => progress.report({ message: `${hop.title}: ${hop.status}`, increment: 100 / 8 }),
          });
        },
      );
      ctx.logger.info(`[delivery-check] ${report.hops.map((h) => `${h.id}=${h.status}`).join(' ')}`);
      return { report, ...show(report) };
    }),
    { dispose: () => panel?.dispose() },
  ];
}

/** Secret Storage's password for the configured app; MSTEAMS_APP_PASSWORD wins when set, as when the webhook starts. */
async function appPassword(ctx: Ctx, configFile: string): Promise<string | undefined> {
  if (process.env.MSTEAMS_APP_PASSWORD) return undefined;
  const appId = process.env.MSTEAMS_APP_ID || (await loadConfigModule().loadConfigFile(configFile).then((l) => l.config?.appId, () => undefined));
  return (await ctx.secrets.get(appId)) || undefined;
}
