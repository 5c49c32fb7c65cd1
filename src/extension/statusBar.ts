import * as vscode from 'vscode';
import type { GatewayState } from '../core/gateway/gateway';
import type { Ctx } from './ctx';
import type { ConfigProblems } from './gatewayHost';
import { formatDiagnostic } from '../core/config/configDiagnostic';
import { plural } from '../core/plural';
import { escapeMarkdown } from './views/markdown';

/** Webhook state, port and pending-pairing count; a click opens the sidebar. */
export class StatusBar implements vscode.Disposable {
  /** Public for the in-host tests, which read its text and tooltip. */
  readonly item = vscode.window.createStatusBarItem('teamsBot.status', vscode.StatusBarAlignment.Left, 50);
  private pending = 0;
  private state: GatewayState = { status: 'stopped' };
  private problems?: ConfigProblems;
  /** Unsubscribes from the host, and from the current stores (replaced when the state dir changes). */
  private readonly offHost: (() => void)[] = [];
  private offStores?: () => void;

  constructor(ctx: Ctx) {
    this.item.name = 'Teams Bot Webhook';
    this.item.command = 'teamsBot.focus';
    this.offHost.push(
      ctx.host.on('state', (state) => {
        this.state = state;
        this.render();
      }),
      ctx.host.on('configProblems', (problems) => {
        this.problems = problems;
        this.render();
      }),
    );
    ctx.onStores((stores) => {
      this.offStores?.();
      this.offStores = stores.pairing.on('changed', (list) => {
        this.pending = list.length;
        this.render();
      });
      void stores.ready.then(() => {
        this.pending = stores.pairing.list().length;
        this.render();
      });
    });
    this.render();
    this.item.show();
  }

  render(): void {
    const s = this.state;
    const pending = this.pending ? ` · ${this.pending} pending` : '';
    this.item.backgroundColor = undefined;
    this.item.command = 'teamsBot.focus';
    if (s.status === 'running' && this.problems?.keptLastGood) {
      // A reload failed: the webhook still serves the last good config; say so until the file is fixed.
      const errors = this.problems.diagnostics.filter((d) => d.severity === 'error');
      this.item.text = `$(warning) Teams Bot :${s.port} · config error${pending}`;
      const head = errors.length ? `**The config file has ${plural(errors.length, 'error')}**; the webhook keeps running on the last good configuration until it is fixed.` : escapeMarkdown(this.problems.message ?? 'The config file could not be applied; the webhook keeps running on the last good configuration.');
      this.item.tooltip = withDeliveryCheck(`${head}\n\n${errors.map((d) => `- ${escapeMarkdown(formatDiagnostic(d))}`).join('\n')}\n\nClick to open the Problems view.`);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.command = 'workbench.actions.view.problems';
    } else if (s.status === 'running') {
      this.item.text = `$(broadcast) Teams Bot :${s.port}${pending}`;
      this.item.tooltip = new vscode.MarkdownString(`**Webhook running** at \`${s.url}\`${s.localMode ? ' (local mode: loopback only)' : ''}\n\n${plural(this.pending, 'pairing request')} waiting. Click to open the sidebar.`);
    } else if (s.status === 'starting' || s.status === 'stopping') {
      this.item.text = `$(loading~spin) Teams Bot ${s.status}…`;
      this.item.tooltip = undefined;
    } else if (s.error) {
      this.item.text = `$(error) Teams Bot: ${shortError(s.error)}${pending}`;
      this.item.tooltip = withDeliveryCheck(`**The webhook could not start**\n\n${escapeMarkdown(s.error)}`);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else {
      this.item.text = `$(circle-slash) Teams Bot: stopped${pending}`;
      this.item.tooltip = 'The Teams bot webhook is stopped. Click to open the sidebar.';
    }
  }

  dispose(): void {
    for (const off of this.offHost.splice(0)) off();
    this.offStores?.();
    this.item.dispose();
  }
}

/**
 * A failure state's tooltip ends with a Run Delivery Check button: the one
 * command its trusted Markdown may run (nothing else in the text can),
 * with the command's own icon ($(checklist) is Run Teams App Doctor's).
 */
function withDeliveryCheck(markdown: string): vscode.MarkdownString {
  const text = new vscode.MarkdownString(`${markdown}\n\n[$(pulse) Run Delivery Check](command:teamsBot.deliveryCheck "Check every hop from Teams to your bot")`, true);
  text.isTrusted = { enabledCommands: ['teamsBot.deliveryCheck'] };
  return text;
}

function shortError(message: string): string {
  if (/already using the state dir/.test(message)) return 'state dir in use';
  if (/already in use/.test(message)) return 'port in use';
  if (/is invalid/.test(message)) return 'invalid config';
  return 'error';
}
