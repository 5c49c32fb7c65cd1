/**
 * How a process run can end other than by exiting on its own. Exit codes are
 * not errors here: each driver decides what a non-zero exit means.
 */
export class ProcessTimeoutError extends Error {
  override readonly name = 'ProcessTimeoutError';
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`${command} did not finish within ${formatSeconds(timeoutMs)} and was stopped: check your network connection and try again.`);
  }
}

/** Named AbortError so callers that already treat DOM-style aborts as "user cancelled" keep doing so. */
export class ProcessCancelledError extends Error {
  override readonly name = 'AbortError';
  constructor(readonly command: string) {
    super(`${command} was cancelled.`);
  }
}

/** The executable exists but could not be started (permissions, bad interpreter line, …). */
export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
  constructor(
    readonly executable: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`Could not start ${executable}${code ? ` (${code})` : ''}: ${detail}.`);
  }
}

/** "30 s", "0.3 s": durations as messages show them. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
}
