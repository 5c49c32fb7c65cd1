import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigDiagnostic } from '../core/config/configDiagnostic';
import type { Ctx } from './ctx';
import type { ConfigProblems } from './gatewayHost';
import { loadConfigModule } from './lazyModules';

/**
 * The gateway's own verdict on the config file, as squiggles with quick
 * fixes: schema errors and semantic checks, each an Error when it stops the
 * webhook from starting (the JSON language server's schema squiggles, from the
 * jsonValidation contribution, are only ever warnings). IntelliSense and
 * hovers still come from jsonValidation; both read the same shipped schema.
 */
export class ConfigDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  readonly collection = vscode.languages.createDiagnosticCollection('teams-bot-config');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private timers = new Map<string, NodeJS.Timeout>();
  /** The key a misspelt key most likely means, by document and position (code actions get copies of our diagnostics, not the objects). */
  private readonly suggestions = new Map<string, string>();

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 200)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.collection.delete(d.uri);
        // Closing the file does not fix it: what the gateway still reports stays in Problems.
        const problems = ctx.host.configProblems;
        if (problems?.diagnostics.length && d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === path.resolve(problems.file)) this.showProblems(problems);
      }),
      vscode.languages.registerCodeActionsProvider({ pattern: '**/teams-bot.config.json' }, this, ConfigDiagnostics.metadata),
    );
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
    // A reload or start that fails on a file nobody has open still belongs in Problems.
    this.disposables.push(new vscode.Disposable(ctx.host.on('configProblems', (problems) => this.showProblems(problems))));
  }

  /** The gateway's diagnostics for its config file: from the open document when there is one (exact ranges), else from line and column. */
  showProblems(problems: ConfigProblems): vscode.Diagnostic[] {
    const uri = vscode.Uri.file(problems.file);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === path.resolve(problems.file));
    if (open && !open.isDirty) return this.check(open);
    return this.publish(uri, problems.diagnostics, undefined);
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
    const { parseConfigText } = loadConfigModule();
    const loaded = parseConfigText(doc.getText(), { env: {}, file: doc.uri.fsPath });
    return this.publish(doc.uri, loaded.diagnostics, doc);
  }

  private publish(uri: vscode.Uri, found: readonly ConfigDiagnostic[], doc: vscode.TextDocument | undefined): vscode.Diagnostic[] {
    for (const key of [...this.suggestions.keys()]) if (key.startsWith(`${uri.toString()}#`)) this.suggestions.delete(key);
    const diagnostics = found.filter(shown).map((d) => {
      const diagnostic = toDiagnostic(doc, d);
      if (d.suggestion) this.suggestions.set(suggestionKey(uri, diagnostic.range), d.suggestion);
      return diagnostic;
    });
    this.collection.set(uri, diagnostics);
    return diagnostics;
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'Teams Bot') continue;
      const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);
      const suggestion = this.suggestions.get(suggestionKey(doc.uri, diagnostic.range));
      if (code === 'schema:additionalProperties' && suggestion) {
        const rename = new vscode.CodeAction(`Did you mean ${suggestion}?`, vscode.CodeActionKind.QuickFix);
        rename.edit = new vscode.WorkspaceEdit();
        rename.edit.replace(doc.uri, diagnostic.range, JSON.stringify(suggestion));
        rename.diagnostics = [diagnostic];
        rename.isPreferred = true;
        actions.push(rename);
      }
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

/** Syntax errors are the JSON language server's (already Errors); everything else is ours to show. */
function shown(d: ConfigDiagnostic): boolean {
  return d.code !== 'syntax';
}

function suggestionKey(uri: vscode.Uri, range: vscode.Range): string {
  return `${uri.toString()}#${range.start.line}:${range.start.character}`;
}

/** With the document, exact offsets; without it (a file nobody has open), the 1-based line and column. */
export function toDiagnostic(doc: vscode.TextDocument | undefined, d: ConfigDiagnostic): vscode.Diagnostic {
  const range = doc && d.offset !== undefined
    ? new vscode.Range(doc.positionAt(d.offset), doc.positionAt(d.offset + (d.length ?? 1)))
    : d.line !== undefined
      ? new vscode.Range(d.line - 1, (d.column ?? 1) - 1, d.line - 1, (d.column ?? 1) - 1 + (d.length ?? 1))
      : new vscode.Range(0, 0, 0, 1);
  const diagnostic = new vscode.Diagnostic(range, d.path ? `${d.path}: ${d.message}` : d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.source = 'Teams Bot';
  diagnostic.code = d.code;
  return diagnostic;
}
