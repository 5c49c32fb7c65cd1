import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ValidationResult } from '../../core/openclaw/openclawOutput';
import { toDiagnostic } from '../configDiagnostics';
import { loadConfigModule } from '../lazyModules';
import type { OpenClawController } from './openclawController';

/**
 * Problems for openclaw.json: our schema checks of channels.msteams at once
 * on every edit (cheap, in-process), and OpenClaw's own `config validate`
 * after opening and each save (a 2–20 s CLI call, in the background; only
 * the latest run's answer is used). OpenClaw validates the file on disk, so
 * its issues are shown until the next save, placed on the current text.
 */
export class OpenClawProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('openclaw');
  private readonly disposables: vscode.Disposable[] = [];
  private validation: ValidationResult | undefined;
  private run = 0;

  constructor(private readonly controller: OpenClawController) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((doc) => this.isConfig(doc.uri) && (this.update(doc), void this.validate())),
      vscode.workspace.onDidChangeTextDocument((e) => this.isConfig(e.document.uri) && this.update(e.document)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.isConfig(doc.uri) && void this.validate()),
      controller.onDidChange(() => this.refreshIfMoved()),
    );
  }

  private shownFor: string | undefined;

  /** Runs OpenClaw's validation of the file on disk and shows the merged result; resolves when shown. */
  async validate(): Promise<readonly vscode.Diagnostic[]> {
    const file = this.controller.location?.configPath;
    if (!file || !this.controller.found || !fs.existsSync(file)) return [];
    const run = ++this.run;
    try {
      const result = await this.controller.cli.validateConfig();
      if (run !== this.run) return this.current();
      this.validation = result;
    } catch (err) {
      if (run !== this.run) return this.current();
      // The CLI could not validate (missing, too old, …): the view already says why; our own checks still run.
      this.validation = undefined;
      this.controller.logger.debug(`[openclaw] config validate: ${(err as Error).message}`);
    }
    this.updateFromDisk();
    return this.current();
  }

  current(): readonly vscode.Diagnostic[] {
    const file = this.controller.location?.configPath;
    return file ? this.collection.get(vscode.Uri.file(file)) ?? [] : [];
  }

  private refreshIfMoved(): void {
    const file = this.controller.location?.configPath;
    if (file === this.shownFor) return;
    if (this.shownFor) this.collection.delete(vscode.Uri.file(this.shownFor));
    this.shownFor = file;
    this.validation = undefined;
    this.updateFromDisk();
    void this.validate();
  }

  private updateFromDisk(): void {
    const file = this.controller.location?.configPath;
    if (!file) return;
    const open = vscode.workspace.textDocuments.find((d) => this.isConfig(d.uri));
    if (open) return this.update(open);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      this.collection.delete(vscode.Uri.file(file));
      return;
    }
    this.collection.set(vscode.Uri.file(file), this.toDiagnostics(undefined, text));
  }

  private update(doc: vscode.TextDocument): void {
    this.collection.set(doc.uri, this.toDiagnostics(doc, doc.getText()));
  }

  private toDiagnostics(doc: vscode.TextDocument | undefined, text: string): vscode.Diagnostic[] {
    // Through dist/config.js: the schema validator (ajv) stays out of the activation bundle.
    return loadConfigModule().openclawConfigDiagnostics(text, this.validation).map((d) => {
      const diagnostic = toDiagnostic(doc, d);
      diagnostic.source = d.code === 'openclaw' ? 'OpenClaw' : 'Teams Bot';
      return diagnostic;
    });
  }

  private isConfig(uri: vscode.Uri): boolean {
    const file = this.controller.location?.configPath;
    return uri.scheme === 'file' && !!file && path.resolve(uri.fsPath) === path.resolve(file);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
