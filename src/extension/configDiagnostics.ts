import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigDiagnostic } from '../core/config/configDiagnostic';
import type { Ctx } from './ctx';
import { loadConfigModule } from './lazyModules';

/**
 * Semantic checks the JSON schema cannot express, as squiggles with quick
 * fixes. The schema itself (types, enums, hovers) comes from the
 * jsonValidation contribution; both read the same shipped schema.
 */
export class ConfigDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  readonly collection = vscode.languages.createDiagnosticCollection('teams-bot-config');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 200)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      vscode.languages.registerCodeActionsProvider({ pattern: '**/teams-bot.config.json' }, this, ConfigDiagnostics.metadata),
    );
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
  }

  isConfigDocument(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme !== 'file') return false;
    const configFile = this.ctx.configFile;
    return (configFile !== undefined && path.resolve(doc.uri.fsPath) === path.resolve(configFile)) || path.basename(doc.uri.fsPath) === 'teams-bot.config.json';
  }

  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    if (!this.isConfigDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => this.check(doc), delayMs));
  }

  /** Runs the same checks the gateway runs at start; returns them for tests. */
  check(doc: vscode.TextDocument): vscode.Diagnostic[] {
    // Schema errors already squiggle through jsonValidation; show only what it can't see.
    const { parseConfigText } = loadConfigModule();
    const loaded = parseConfigText(doc.getText(), { env: {}, file: doc.uri.fsPath });
    const diagnostics = loaded.diagnostics
      .filter((d) => !d.code.startsWith('schema:') && d.code !== 'syntax')
      .map((d) => toDiagnostic(doc, d));
    this.collection.set(doc.uri, diagnostics);
    return diagnostics;
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'Teams Bot') continue;
      const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);
      if (code === 'secret-in-file') {
        const fix = new vscode.CodeAction('Move appPassword to Secret Storage', vscode.CodeActionKind.QuickFix);
        fix.command = { command: 'teamsBot.moveAppPasswordToSecretStorage', title: fix.title, arguments: [doc.uri] };
        fix.diagnostics = [diagnostic];
        fix.isPreferred = true;
        actions.push(fix);
      }
      if (code === 'allowlist-empty') {
        const pairing = new vscode.CodeAction('Use dmPolicy "pairing" (approve senders as they write)', vscode.CodeActionKind.QuickFix);
        pairing.edit = new vscode.WorkspaceEdit();
        pairing.edit.replace(doc.uri, diagnostic.range, '"pairing"');
        pairing.diagnostics = [diagnostic];
        actions.push(pairing);
        for (const sender of this.recentSenders()) {
          const add = new vscode.CodeAction(`Create allowFrom with ${sender.name ?? sender.id}`, vscode.CodeActionKind.QuickFix);
          add.command = { command: 'teamsBot.approveSender', title: add.title, arguments: [sender] };
          add.diagnostics = [diagnostic];
          actions.push(add);
        }
      }
    }
    return actions;
  }

  /** Senders whose messages were dropped recently: the likely candidates for allowFrom. */
  private recentSenders(): { id: string; name?: string; aadObjectId?: string }[] {
    const records = this.ctx.stores()?.activities.list({ limit: 200, fate: 'dropped', direction: 'inbound' }) ?? [];
    const seen = new Map<string, { id: string; name?: string; aadObjectId?: string }>();
    for (const r of records) {
      const s = r.summary;
      if (s.senderId && !seen.has(s.senderId)) seen.set(s.senderId, { id: s.senderId, name: s.senderName, aadObjectId: s.aadObjectId });
    }
    return [...seen.values()].slice(0, 3);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(doc: vscode.TextDocument, d: ConfigDiagnostic): vscode.Diagnostic {
  const range = d.offset !== undefined
    ? new vscode.Range(doc.positionAt(d.offset), doc.positionAt(d.offset + (d.length ?? 1)))
    : new vscode.Range(0, 0, 0, 1);
  const diagnostic = new vscode.Diagnostic(range, d.path ? `${d.path}: ${d.message}` : d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.source = 'Teams Bot';
  diagnostic.code = d.code;
  return diagnostic;
}
