import type { Logger, LogLevel } from '../core/logger';
import { redactText } from '../core/redact';

const ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * Log lines for a terminal: time, level, message. Info goes to stdout so
 * `serve | grep pairing` works; warnings and errors go to stderr.
 */
export function consoleLogger(min: LogLevel = 'info', out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Logger {
  const threshold = ORDER.indexOf(min);
  // Worked out once per level, not per line: `serve` logs a line for every request.
  const write = (level: LogLevel) => {
    if (ORDER.indexOf(level) < threshold) return () => undefined;
    const label = level.toUpperCase().padEnd(5);
    const stream = level === 'warn' || level === 'error' ? err : out;
    return (message: string) => {
      const time = new Date().toISOString().slice(11, 23);
      stream.write(`${time} ${label} ${redactText(message)}\n`);
    };
  };
  return { trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
