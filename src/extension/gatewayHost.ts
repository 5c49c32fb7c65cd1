import { TypedEmitter } from '../core/typedEmitter';
import type { Logger } from '../core/logger';
import type { ActivityLog } from '../core/activity/activityLog';
import type { PairingStore } from '../core/pairing/pairingStore';
import type { Gateway, GatewayEvents, GatewayState } from '../core/gateway/gateway';
import type { ConfigDiagnostic } from '../core/config/configDiagnostic';
import { loadGatewayModule } from './lazyModules';

export interface GatewayHostOptions {
  configFile: string;
  stateDir: string;
  logger: Logger;
  pairing: PairingStore;
  activities: ActivityLog;
  appPassword?: string;
  /** VS Code's workspace trust, asked at start and at every config reload (Gateway's `trusted`). */
  trusted?: () => boolean;
}

/** The config's problems as the gateway last saw them (at a start or a reload); empty when it is valid. */
export interface ConfigProblems {
  file: string;
  diagnostics: ConfigDiagnostic[];
  /** True while the webhook runs on the last good config because the file became invalid. */
  keptLastGood: boolean;
  /** The gateway's sentence for a failed reload (it also covers a file that could not be read, with no diagnostics). */
  message?: string;
}

export type GatewayHostEvents = {
  state: GatewayState;
  simulatorReply: GatewayEvents['simulatorReply'];
  configChanged: GatewayEvents['configChanged'];
  configProblems: ConfigProblems;
};

/**
 * Owns the one Gateway of this window: loads the gateway bundle on first
 * start, forwards its state, and keeps the last error for the status bar.
 */
export class GatewayHost extends TypedEmitter<GatewayHostEvents> {
  private current?: Gateway;
  private offs: (() => void)[] = [];
  private lastState: GatewayState = { status: 'stopped' };
  private lastProblems?: ConfigProblems;

  get state(): GatewayState {
    return this.lastState;
  }

  /** What is wrong with the config file, as of the last start or reload; undefined before the first. */
  get configProblems(): ConfigProblems | undefined {
    return this.lastProblems;
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
      trusted: options.trusted,
    });
    this.current = gateway;
    this.offs = [
      gateway.on('state', (state) => {
        this.lastState = state;
        this.emit('state', state);
      }),
      gateway.on('simulatorReply', (reply) => this.emit('simulatorReply', reply)),
      gateway.on('configChanged', (loaded) => {
        // An invalid file is followed by configError; a valid one ends whatever error was shown.
        if (loaded.config) this.setProblems({ file: gateway.configFile, diagnostics: loaded.diagnostics, keptLastGood: false });
        this.emit('configChanged', loaded);
      }),
      // A reload that fails keeps the last good config running (Gateway.reloadConfig): say so, with every error.
      gateway.on('configError', (e) => this.setProblems({ file: e.file, diagnostics: e.diagnostics, keptLastGood: true, message: e.message })),
    ];
    try {
      const state = await gateway.start();
      this.setProblems({ file: gateway.configFile, diagnostics: gateway.loadedConfig?.diagnostics ?? [], keptLastGood: false });
      return state;
    } catch (err) {
      // ConfigInvalidError carries its diagnostics: Problems shows each with its line and column.
      const diagnostics = (err as { diagnostics?: ConfigDiagnostic[] }).diagnostics;
      if (Array.isArray(diagnostics)) this.setProblems({ file: gateway.configFile, diagnostics, keptLastGood: false });
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

  private setProblems(problems: ConfigProblems): void {
    this.lastProblems = problems;
    this.emit('configProblems', problems);
  }

  private detach(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.current = undefined;
  }
}
