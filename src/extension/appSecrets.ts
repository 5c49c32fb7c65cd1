import type * as vscode from 'vscode';

/**
 * The app password lives in VS Code's SecretStorage (the OS keychain), keyed
 * by app id so two bots in two folders never share one. It never touches the
 * config file, the log or a view.
 */
export class AppSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  private key(appId: string | undefined): string {
    return `teamsBot.appPassword/${appId ?? 'default'}`;
  }

  get(appId: string | undefined): Thenable<string | undefined> {
    return this.storage.get(this.key(appId));
  }

  store(appId: string | undefined, password: string): Thenable<void> {
    return this.storage.store(this.key(appId), password);
  }

  delete(appId: string | undefined): Thenable<void> {
    return this.storage.delete(this.key(appId));
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.storage.onDidChange((e) => {
      if (e.key.startsWith('teamsBot.appPassword/')) listener();
    });
  }
}
