import * as fs from 'node:fs';
import * as path from 'node:path';
import { TypedEmitter } from '../typedEmitter';

/**
 * Tells when OpenClaw's SQLite store may have changed, without reading it.
 *
 * Why not read it: Node 20 (VS Code's extension host) has no node:sqlite, a
 * native driver needs a build, and a wasm reader (sql.js) sees only the main
 * file while a running gateway keeps fresh rows in the -wal file. So this only
 * watches the store's files (openclaw.sqlite and its -wal) and the owner asks
 * the CLI once per change; the CLI also applies OpenClaw's own expiry and caps.
 *
 * fs.watch on the store's folder gives prompt events where the OS supports it;
 * a modest stat poll catches what it misses (network filesystems, a folder
 * created later). A change is the (mtime, size) signature of either file
 * moving; `rebaseline()` adopts the current files as seen, so the CLI's own
 * reads (which can checkpoint the WAL) do not trigger a refresh loop.
 */
export interface StoreWatcherOptions {
  storePath: string;
  /** Stat poll interval (the fallback); default 5 s. Stats are cheap; the CLI is not. */
  pollMs?: number;
  /** Quiet time before a burst of writes is reported as one change; default 250 ms. */
  debounceMs?: number;
}

interface StoreWatcherEvents {
  changed: void;
}

export class StoreWatcher extends TypedEmitter<StoreWatcherEvents> {
  private readonly files: string[];
  private readonly pollMs: number;
  private readonly debounceMs: number;
  private signature: string;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private fsWatcher: fs.FSWatcher | undefined;
  private disposed = false;

  constructor(private readonly options: StoreWatcherOptions) {
    super();
    this.files = [options.storePath, `${options.storePath}-wal`];
    this.pollMs = options.pollMs ?? 5000;
    this.debounceMs = options.debounceMs ?? 250;
    this.signature = this.currentSignature();
  }

  start(): void {
    if (this.pollTimer || this.disposed) return;
    this.arm();
    this.pollTimer = setInterval(() => {
      this.arm();
      this.check();
    }, this.pollMs);
    this.pollTimer.unref?.();
  }

  /** Take what is on disk now as seen (call after reading the store through the CLI). */
  rebaseline(): void {
    this.signature = this.currentSignature();
  }

  dispose(): void {
    this.disposed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.fsWatcher?.close();
    this.fsWatcher = undefined;
  }

  private arm(): void {
    if (this.fsWatcher || this.disposed) return;
    const dir = path.dirname(this.options.storePath);
    const names = new Set(this.files.map((f) => path.basename(f)));
    try {
      this.fsWatcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (!name || names.has(name.toString())) this.check();
      });
      this.fsWatcher.on('error', () => {
        // The folder went away (state dir deleted or moved): fall back to polling until it is back.
        this.fsWatcher?.close();
        this.fsWatcher = undefined;
      });
    } catch {
      // No folder yet, or no fs.watch here: the poll covers it.
    }
  }

  private check(): void {
    if (this.disposed) return;
    const now = this.currentSignature();
    if (now === this.signature) return;
    this.signature = now;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      if (!this.disposed) this.emit('changed', undefined);
    }, this.debounceMs);
  }

  private currentSignature(): string {
    return this.files
      .map((f) => {
        try {
          const s = fs.statSync(f);
          return `${s.mtimeMs}:${s.size}`;
        } catch {
          return '-';
        }
      })
      .join('|');
  }
}
