import type { Logger, LogLevel } from '../core/logger';
import { redactText } from '../core/redact';

const ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * Log lines for a terminal: time, level, message. Info goes to stdout so
 * `serve | grep pairing` works; warnings and errors go to stderr.
 */
export function consoleLogger(min: LogLevel = 'info', out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Logger {
  const threshold = ORDER.indexOf(min);
  const write = (level: LogLevel) => (message: string) => {
    if (ORDER.indexOf(level) < threshold) return;
    const time = new Date().toISOString().slice(11, 23);
    const line = `${time} ${level.toUpperCase().padEnd(5)} ${redactText(message)}\n`;
    (level === 'warn' || level === 'error' ? err : out).write(line);
  };
  return { trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
