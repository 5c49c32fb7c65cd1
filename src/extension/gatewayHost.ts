import { TypedEmitter } from '../core/typedEmitter';
import type { Logger } from '../core/logger';
import type { ActivityLog } from '../core/activityLog';
import type { PairingStore } from '../core/pairingStore';
import type { Gateway, GatewayEvents, GatewayState } from '../core/gateway/gateway';
import { loadGatewayModule } from './lazyModules';

export interface GatewayHostOptions {
  configFile: string;
  stateDir: string;
  logger: Logger;
  pairing: PairingStore;
  activities: ActivityLog;
  appPassword?: string;
}

export type GatewayHostEvents = {
  state: GatewayState;
  simulatorReply: GatewayEvents['simulatorReply'];
  configChanged: GatewayEvents['configChanged'];
};

/**
 * Owns the one Gateway of this window: loads the gateway bundle on first
 * start, forwards its state, and keeps the last error for the status bar.
 */
export class GatewayHost extends TypedEmitter<GatewayHostEvents> {
  private current?: Gateway;
  private offs: (() => void)[] = [];
  private lastState: GatewayState = { status: 'stopped' };

  get state(): GatewayState {
    return this.lastState;
  }

  get gateway(): Gateway | undefined {
    return this.current?.status.status === 'running' ? this.current : undefined;
  }

  async start(options: GatewayHostOptions): Promise<GatewayState> {
    if (this.current && this.current.status.status !== 'stopped') return this.current.status;
    const { Gateway } = loadGatewayModule();
    const gateway = new Gateway({
      configFile: options.configFile,
      stateDir: options.stateDir,
      logger: options.logger,
      pairing: options.pairing,
      activities: options.activities,
      secrets: { appPassword: options.appPassword },
    });
    this.current = gateway;
    this.offs = [
      gateway.on('state', (state) => {
        this.lastState = state;
        this.emit('state', state);
      }),
      gateway.on('simulatorReply', (reply) => this.emit('simulatorReply', reply)),
      gateway.on('configChanged', (loaded) => this.emit('configChanged', loaded)),
    ];
    try {
      return await gateway.start();
    } catch (err) {
      this.detach();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const gateway = this.current;
    if (!gateway) return;
    await gateway.stop();
    this.detach();
  }

  private detach(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.current = undefined;
  }
}
