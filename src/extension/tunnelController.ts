import * as vscode from 'vscode';
import { TunnelSession, type TunnelState } from '../core/setup/tunnelSession';
import type { Ctx } from './ctx';
import { devtunnel } from './tools';

/** The managed `devtunnel host` of this window, its URL in the status bar, and a context key for menus. */
export class TunnelController implements vscode.Disposable {
  private session?: TunnelSession;
  private readonly item = vscode.window.createStatusBarItem('teamsBot.tunnel', vscode.StatusBarAlignment.Left, 49);
  private readonly changed = new vscode.EventEmitter<TunnelState>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'Teams Bot Tunnel';
    this.item.command = 'teamsBot.copyTunnelUrl';
    this.render({ status: 'stopped' });
  }

  get state(): TunnelState {
    return this.session?.state ?? { status: 'stopped' };
  }

  get url(): string | undefined {
    const s = this.state;
    return s.status === 'running' ? s.url : undefined;
  }

  async start(id: string, port: number, signal?: AbortSignal): Promise<string> {
    if (!this.session) {
      // A factory: teamsBot.devtunnelPath is read at each start, like every other devtunnel call.
      this.session = new TunnelSession(() => devtunnel(this.ctx), this.ctx.logger);
      this.session.on('state', (state) => this.render(state));
    }
    return this.session.start(id, port, signal);
  }

  async stop(): Promise<void> {
    await this.session?.stop();
  }

  private render(state: TunnelState): void {
    void vscode.commands.executeCommand('setContext', 'teamsBot.tunnelRunning', state.status === 'running');
    this.changed.fire(state);
    if (state.status === 'running') {
      this.item.text = `$(globe) ${new URL(state.url).host}`;
      this.item.tooltip = `Tunnel ${state.id} forwards ${state.url} to port ${state.port}. Click to copy the URL.`;
      this.item.show();
    } else if (state.status === 'starting') {
      this.item.text = `$(loading~spin) tunnel ${state.id}…`;
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    void this.session?.stop();
    this.item.dispose();
    this.changed.dispose();
  }
}
