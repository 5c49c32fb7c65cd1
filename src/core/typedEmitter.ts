import { EventEmitter } from 'node:events';

/**
 * A node EventEmitter whose event names and payloads are checked by the
 * compiler. The core speaks only through these; every UI is a subscriber.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Many views subscribe at once (sidebar, status bar, notifications, CLI log).
    this.emitter.setMaxListeners(50);
  }

  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  once<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
    this.emitter.once(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** The payload of the next such event (tests and one-shot waits). */
  next<K extends keyof Events & string>(event: K): Promise<Events[K]> {
    return new Promise((resolve) => this.once(event, resolve));
  }

  protected emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    // A throwing subscriber must never break the request path that emitted.
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (p: Events[K]) => void)(payload);
      } catch {
        /* subscriber errors are theirs to report */
      }
    }
  }

  removeAllListeners(): void {
    this.emitter.removeAllListeners();
  }
}
