import { TypedEmitter } from '../typedEmitter';
import type { Logger } from '../logger';
import type { Devtunnel, DevtunnelHost } from '../drivers/devtunnel';
import type { TunnelInfo } from '../drivers/devtunnelOutput';

export type TunnelState =
  | { status: 'stopped'; error?: string }
  | { status: 'starting'; id: string }
  | { status: 'running'; id: string; port: number; url: string };

/**
 * One persistent dev tunnel, hosted by a managed `devtunnel host` process.
 * ensure() creates what is missing (tunnel with anonymous access, then the
 * port) and nothing else, so Set Up Bot and F5 can call it every time.
 */
export class TunnelSession extends TypedEmitter<{ state: TunnelState }> {
  private host?: DevtunnelHost;
  private current: TunnelState = { status: 'stopped' };
  /** A stop in progress: its host still reads as running, but must not be reused. */
  private stopping?: Promise<void>;

  private readonly cli: () => Devtunnel;

  /** `devtunnel` may be a factory, called for each start, so a changed executable setting applies without a reload. */
  constructor(devtunnel: Devtunnel | (() => Devtunnel), private readonly logger: Logger) {
    super();
    this.cli = typeof devtunnel === 'function' ? devtunnel : () => devtunnel;
  }

  get state(): TunnelState {
    return this.current;
  }

  /** The tunnel exists, allows anonymous connections (Teams cannot sign in to it) and has the port. */
  async ensure(id: string, port: number, signal?: AbortSignal): Promise<TunnelInfo> {
    return this.ensureWith(this.cli(), id, port, signal);
  }

  private async ensureWith(cli: Devtunnel, id: string, port: number, signal?: AbortSignal): Promise<TunnelInfo> {
    let tunnel = await cli.show(id, { signal });
    if (!tunnel) {
      this.logger.info(`[tunnel] creating persistent tunnel ${id} (anonymous access: Teams cannot authenticate to a tunnel; the webhook still checks every request)`);
      tunnel = await cli.create(id, { allowAnonymous: true, signal });
    }
    if (!tunnel.ports.some((p) => p.portNumber === port)) {
      this.logger.info(`[tunnel] adding port ${port} to ${id}`);
      await cli.portCreate(id, port, 'auto', { signal });
    }
    return tunnel;
  }

  /** Hosts the tunnel and resolves with the public URL of the port; reuses a running host for the same tunnel. */
  async start(id: string, port: number, signal?: AbortSignal): Promise<string> {
    await this.stopping;
    if (this.current.status === 'running' && this.current.id === id && this.current.port === port) return this.current.url;
    await this.stop();
    const cli = this.cli();
    await this.ensureWith(cli, id, port, signal);
    this.set({ status: 'starting', id });
    const host = cli.host(id, { port, signal });
    this.host = host;
    host.on('exit', (exit) => {
      if (this.host !== host) return;
      this.host = undefined;
      const error = exit.code === 0 || exit.signal ? undefined : `devtunnel host exited with code ${exit.code}`;
      if (error) this.logger.warn(`[tunnel] ${error}`);
      this.set({ status: 'stopped', error });
    });
    host.on('failure', (err) => this.logger.warn(`[tunnel] ${err.message}`));
    try {
      const url = await host.url;
      this.set({ status: 'running', id, port, url });
      this.logger.info(`[tunnel] ${id} is forwarding ${url} → http://127.0.0.1:${port}`);
      return url;
    } catch (err) {
      this.host = undefined;
      await host.stop().catch(() => undefined);
      this.set({ status: 'stopped', error: (err as Error).message });
      throw err;
    }
  }

  /** Ends hosting; a second call while the first is under way waits for the same stop. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const host = this.host;
    this.host = undefined;
    if (!host) return Promise.resolve();
    this.stopping = (async () => {
      try {
        await host.stop();
        this.logger.info('[tunnel] stopped hosting');
        this.set({ status: 'stopped' });
      } finally {
        this.stopping = undefined;
      }
    })();
    return this.stopping;
  }

  private set(state: TunnelState): void {
    this.current = state;
    this.emit('state', state);
  }
}
