/**
 * The one logging seam of the core. The CLI prints these lines, the extension
 * writes them to its LogOutputChannel; the same text reaches both.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Collects lines in memory; used by tests and by commands that report what happened. */
export class MemoryLogger implements Logger {
  readonly lines: { level: LogLevel; message: string }[] = [];
  trace(message: string) { this.lines.push({ level: 'trace', message }); }
  debug(message: string) { this.lines.push({ level: 'debug', message }); }
  info(message: string) { this.lines.push({ level: 'info', message }); }
  warn(message: string) { this.lines.push({ level: 'warn', message }); }
  error(message: string) { this.lines.push({ level: 'error', message }); }
  text(): string { return this.lines.map((l) => `${l.level} ${l.message}`).join('\n'); }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * For lines that quote what senders control (ids, names, text): a newline in
 * a display name must not be able to forge a second log line.
 */
export function oneLineLogger(inner: Logger): Logger {
  const clean = (m: string) => m.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return {
    trace: (m) => inner.trace(clean(m)),
    debug: (m) => inner.debug(clean(m)),
    info: (m) => inner.info(clean(m)),
    warn: (m) => inner.warn(clean(m)),
    error: (m) => inner.error(clean(m)),
  };
}
