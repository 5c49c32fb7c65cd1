import type { TeamsCliErrorInfo } from './teamsCliOutput';

/**
 * A failure reported by the Teams CLI. With --json it answers
 * {"ok":false,"error":{"code","message","suggestion"}} and exits 1; the code
 * (AUTH_REQUIRED, VALIDATION_MISSING, NOT_FOUND_APP, …) is what callers branch
 * on. Failures without that envelope get a code of our own: CLI_FAILED
 * (non-zero exit, no envelope) or UNREADABLE_OUTPUT (exit 0, output not understood).
 */
export class TeamsCliError extends Error {
  override readonly name = 'TeamsCliError';
  readonly code: string;
  /** The CLI's message as it printed it. */
  readonly cliMessage: string;
  readonly suggestion?: string;
  readonly exitCode: number | null;

  constructor(info: TeamsCliErrorInfo, exitCode: number | null) {
    super(info.suggestion ? `${withStop(info.message)} ${info.suggestion}` : withStop(info.message));
    this.code = info.code;
    this.cliMessage = info.message;
    this.suggestion = info.suggestion;
    this.exitCode = exitCode;
  }

  /** The user must run `teams login` (interactive, so in a terminal) before anything else works. */
  get isAuthRequired(): boolean {
    return this.code === 'AUTH_REQUIRED' || this.code === 'AUTH_TOKEN_FAILED';
  }
}

function withStop(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
