/**
 * At most one action in flight per card: Teams greys a card out while its Action.Submit,
 * Action.Execute or task/fetch is on its way, so a double-click (or an impatient second click)
 * sends once. Plain data, no DOM: unit-tested in Node (test/webview/chat/inFlight.test.ts).
 */
export class InFlight {
  private readonly busy = new Set<string>();

  /** Whether an action of this card (key) is on its way. */
  has(key: string): boolean {
    return this.busy.has(key);
  }

  /** Runs fn unless one for the same key is still running (then it is ignored: undefined, fn not called). */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.busy.has(key)) return undefined;
    this.busy.add(key);
    try {
      return await fn();
    } finally {
      this.busy.delete(key);
    }
  }
}
