import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readApprovedSenders, type ApprovedSendersResult } from '../../core/openclaw/approvedSenders';
import { OpenClawCli } from '../../core/openclaw/openclawCli';
import { readOpenClawConfig } from '../../core/openclaw/openclawConfigFile';
import { resolveOpenClawLocation, stateDirExists, type OpenClawLocation } from '../../core/openclaw/openclawLocation';
import { OpenClawPairings } from '../../core/openclaw/openclawPairings';
import type { OpenClawPairingRequest } from '../../core/openclaw/openclawOutput';
import { StoreWatcher } from '../../core/openclaw/storeWatcher';
import type { Ctx } from '../ctx';
import type { Settings } from '../settings';

// The store watcher is the trigger; this only catches a request written while a list was running.
const SAFETY_REFRESH_MS = 5 * 60_000;

/**
 * One OpenClaw install as the extension sees it: where it lives, its CLI,
 * the store watcher and the pending requests. Rebuilt when a
 * teamsBot.openclaw.* setting changes. Every CLI call runs in a child
 * process, so nothing here blocks the extension host; the view shows
 * progress while a list runs.
 */
export class OpenClawController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly arrived = new vscode.EventEmitter<readonly OpenClawPairingRequest[]>();
  /** Requests not seen in any earlier list: one notification each. */
  readonly onNewRequests = this.arrived.event;
  private readonly failed = new vscode.EventEmitter<Error>();
  /** A list failed (CLI missing, too old, wrong Node, unreadable output, …). */
  readonly onError = this.failed.event;
  location!: OpenClawLocation;
  cli!: OpenClawCli;
  pairings!: OpenClawPairings;
  approved: ApprovedSendersResult = { ok: true, senders: [] };
  configAllowFrom: string[] = [];
  found = false;
  private watcher: StoreWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  // Settings change in bursts (path and state dir together); only the latest rebuild may start watching.
  private generation = 0;
  private offs: (() => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  get logger() {
    return this.ctx.logger;
  }

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('teamsBot.openclaw')) void this.rebuild();
      }),
    );
  }

  /** The teamsBot.openclaw.* settings, read fresh each time. */
  get settings(): Settings['openclaw'] {
    return this.ctx.settings.openclaw;
  }

  /** (Re)reads the settings, looks for OpenClaw, and starts watching when found. */
  async rebuild(): Promise<void> {
    this.stop();
    const generation = ++this.generation;
    const settings = this.settings;
    this.location = resolveOpenClawLocation({ stateDirSetting: settings.stateDir });
    this.cli = new OpenClawCli({
      executable: settings.cliPath || undefined,
      logger: this.ctx.logger,
      stateDir: settings.stateDir ? this.location.stateDir : undefined,
    });
    this.watcher = new StoreWatcher({ storePath: this.location.storePath });
    this.pairings = new OpenClawPairings({ cli: this.cli, accountId: settings.accountId, watcher: this.watcher, logger: this.ctx.logger });
    this.offs = [
      this.pairings.on('changed', () => {
        this.readLocalFacts();
        this.changed.fire();
      }),
      this.pairings.on('newRequests', (requests) => this.arrived.fire(requests)),
      this.pairings.on('error', (err) => {
        this.failed.fire(err);
        this.changed.fire();
      }),
      this.pairings.on('busy', (busy) => (busy ? this.showProgress() : undefined)),
    ];
    const found = stateDirExists(this.location) || (await cliFound(settings.cliPath));
    if (generation !== this.generation) return;
    this.found = found;
    await vscode.commands.executeCommand('setContext', 'teamsBot.openclawFound', this.found);
    // A rebuild or dispose during that await owns what follows: starting here would leak a watcher and a timer.
    if (generation !== this.generation) return;
    this.readLocalFacts();
    this.changed.fire();
    if (!this.found) return;
    this.watcher.start();
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.pairings.refresh(), SAFETY_REFRESH_MS);
    void this.pairings.refresh();
  }

  /** Runs a refresh (or joins the running one) and resolves when the list is current. */
  async refresh(): Promise<void> {
    await this.pairings.refresh();
  }

  get requests(): readonly OpenClawPairingRequest[] {
    return this.pairings?.requests ?? [];
  }

  /** openclaw.json facts and the approved senders: local reads, cheap, refreshed with each list. */
  private readLocalFacts(): void {
    const config = readOpenClawConfig(this.location.configPath);
    this.configAllowFrom = config.msteamsAllowFrom;
    this.approved = readApprovedSenders(this.location.storePath, this.settings.accountId);
  }

  private showProgress(): void {
    const done = new Promise<void>((resolve) => {
      const off = this.pairings.on('busy', (busy) => {
        if (!busy) {
          off();
          resolve();
        }
      });
    });
    void vscode.window.withProgress({ location: { viewId: 'teamsBot.openclaw' }, title: 'Asking OpenClaw for pairing requests…' }, () => done);
  }

  private stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watcher?.dispose();
    this.pairings?.dispose();
  }

  dispose(): void {
    // A rebuild still awaiting (cliFound, setContext) sees this and starts nothing.
    this.generation++;
    this.stop();
    this.changed.dispose();
    this.arrived.dispose();
    this.failed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The CLI is "found" when the setting points at a file, or `openclaw` is on PATH. */
async function cliFound(setting: string): Promise<boolean> {
  const candidates = setting
    ? [setting]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .flatMap((dir) => (process.platform === 'win32' ? ['openclaw.cmd', 'openclaw.exe'] : ['openclaw']).map((n) => path.join(dir, n)));
  for (const file of candidates) {
    try {
      if ((await fs.promises.stat(file)).isFile()) return true;
    } catch {
      /* not there */
    }
  }
  return false;
}
