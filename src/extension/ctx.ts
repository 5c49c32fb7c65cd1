import * as path from 'node:path';
import * as vscode from 'vscode';
import { ActivityLog } from '../core/activity/activityLog';
import { PairingStore } from '../core/pairing/pairingStore';
import type { Logger } from '../core/logger';
import { Settings } from './settings';
import { outputLogger } from './outputLogger';
import { AppSecrets } from './appSecrets';
import { GatewayHost } from './gatewayHost';
import { Toasts } from './toasts';

export interface Stores {
  pairing: PairingStore;
  activities: ActivityLog;
  ready: Promise<void>;
}

/**
 * What every command and view needs, in one small object passed to their
 * factories: the workspace paths, settings, log, secrets, the stores and the
 * gateway host.
 */
export class Ctx implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly logger: Logger;
  readonly secrets: AppSecrets;
  readonly host = new GatewayHost();
  /** Every notification the extension shows (plain text, and recorded for tests). */
  readonly toasts = new Toasts();
  private storesFor?: { stateDir: string; stores: Stores };
  private readonly storeListeners: ((stores: Stores) => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Teams Bot', { log: true });
    this.logger = outputLogger(this.log);
    this.secrets = new AppSecrets(extension.secrets);
    this.disposables.push(this.log);
  }

  get folder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  get settings(): Settings {
    return new Settings(this.folder?.uri);
  }

  /** Absolute path of the config file, or undefined without a folder. */
  get configFile(): string | undefined {
    const folder = this.folder;
    if (!folder) return undefined;
    const configured = this.settings.configPath;
    return path.isAbsolute(configured) ? configured : path.join(folder.uri.fsPath, configured);
  }

  get stateDir(): string | undefined {
    const folder = this.folder;
    if (!folder) return undefined;
    const configured = this.settings.stateDir;
    return path.isAbsolute(configured) ? configured : path.join(folder.uri.fsPath, configured);
  }

  /** The pairing store and activity log of the current state dir; open even while the webhook is stopped. */
  stores(): Stores | undefined {
    const stateDir = this.stateDir;
    if (!stateDir) return undefined;
    if (this.storesFor?.stateDir === stateDir) return this.storesFor.stores;
    this.storesFor?.stores.pairing.close();
    void this.storesFor?.stores.activities.close();
    const pairing = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20, logger: this.logger });
    const activities = new ActivityLog({ dir: stateDir, logger: this.logger });
    const ready = Promise.all([pairing.load(), activities.load()]).then(() => pairing.watch());
    const stores = { pairing, activities, ready };
    this.storesFor = { stateDir, stores };
    for (const listener of this.storeListeners) listener(stores);
    return stores;
  }

  /** Views re-subscribe when the state dir setting changes. */
  onStores(listener: (stores: Stores) => void): void {
    this.storeListeners.push(listener);
    if (this.storesFor) listener(this.storesFor.stores);
  }

  notify(kind: 'info' | 'error'): boolean {
    const level = this.settings.notifications;
    return level === 'all' || (level === 'errors' && kind === 'error');
  }

  subscribe(...items: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...items);
  }

  async dispose(): Promise<void> {
    await this.host.stop().catch(() => undefined);
    this.storesFor?.stores.pairing.close();
    await this.storesFor?.stores.activities.close();
    for (const d of this.disposables) d.dispose();
  }
}
