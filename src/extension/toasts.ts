import * as vscode from 'vscode';

/** One notification as shown: its kind, text and buttons. */
export interface Toast {
  kind: 'info' | 'warning' | 'error';
  message: string;
  actions: string[];
}

/**
 * Every notification the extension raises goes through here, so what the
 * developer sees is one place: the text is plain (toasts render no Markdown,
 * so `code` spans lose their backticks), and the last ones are kept for the
 * in-host tests, which cannot read the workbench's notification list.
 */
export class Toasts {
  /** The most recent toasts, oldest first (at most 50). */
  readonly shown: Toast[] = [];
  private readonly listeners: ((toast: Toast) => void)[] = [];
  /**
   * For the in-host tests, which cannot click a notification: the button to
   * press for a toast (undefined: wait for the developer as usual). The toast
   * is still shown; only the answer comes from here.
   */
  answer?: (toast: Toast) => string | undefined;

  info(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show('info', message, actions);
  }

  warning(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show('warning', message, actions);
  }

  error(message: string, ...actions: string[]): Thenable<string | undefined> {
    return this.show('error', message, actions);
  }

  /** Called with each toast as it is shown (tests wait on this). */
  onShow(listener: (toast: Toast) => void): vscode.Disposable {
    this.listeners.push(listener);
    return new vscode.Disposable(() => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    });
  }

  private show(kind: Toast['kind'], message: string, actions: string[]): Thenable<string | undefined> {
    const toast: Toast = { kind, message: plainText(message), actions };
    this.shown.push(toast);
    if (this.shown.length > 50) this.shown.shift();
    for (const l of [...this.listeners]) l(toast);
    const show = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const shown = show(toast.message, ...actions);
    const answer = this.answer?.(toast);
    return answer !== undefined && actions.includes(answer) ? Promise.resolve(answer) : shown;
  }
}

/** "run `devtunnel user login`" → "run “devtunnel user login”": notifications show backticks literally. */
export function plainText(message: string): string {
  return message.replace(/`([^`\n]+)`/g, '“$1”');
}
