import * as vscode from 'vscode';

/** A typed view of the teamsBot.* settings; read fresh each time so changes apply without a reload. */
export class Settings {
  constructor(private readonly scope?: vscode.ConfigurationScope) {}

  private get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('teamsBot', this.scope);
  }

  get configPath(): string {
    return this.section.get<string>('configPath') || 'teams-bot.config.json';
  }

  get stateDir(): string {
    return this.section.get<string>('stateDir') || '.teams-bot';
  }

  get autoStart(): boolean {
    return this.section.get<boolean>('autoStart') ?? false;
  }

  get notifications(): 'all' | 'errors' | 'none' {
    return this.section.get<'all' | 'errors' | 'none'>('notifications') ?? 'all';
  }

  get devtunnelPath(): string {
    return this.section.get<string>('devtunnelPath') || 'devtunnel';
  }

  get teamsCliPath(): string {
    return this.section.get<string>('teamsCliPath') || 'teams';
  }

  /** teamsBot.openclaw.*: empty cliPath / stateDir mean "look in the usual places". */
  get openclaw(): { cliPath: string; stateDir: string; accountId: string } {
    const section = this.section;
    return {
      cliPath: section.get<string>('openclaw.cliPath')?.trim() ?? '',
      stateDir: section.get<string>('openclaw.stateDir')?.trim() ?? '',
      accountId: section.get<string>('openclaw.accountId')?.trim() || 'default',
    };
  }
}
