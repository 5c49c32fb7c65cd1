import type { DevtunnelFailureKind } from './devtunnelOutput';

/**
 * The failures of `devtunnel` a user can act on, each with a message that says
 * what to do. Anything unrecognised becomes a DevtunnelError quoting the last
 * thing the CLI said.
 */
export class DevtunnelError extends Error {
  override name = 'DevtunnelError';
  readonly kind: DevtunnelFailureKind;
  /** The CLI's own last words (redacted), for the log; the message already says what to do. */
  readonly detail: string;
  readonly exitCode: number | null;

  constructor(message: string, opts: { kind?: DevtunnelFailureKind; detail?: string; exitCode?: number | null } = {}) {
    super(message);
    this.kind = opts.kind ?? 'unknown';
    this.detail = opts.detail ?? '';
    this.exitCode = opts.exitCode ?? null;
  }
}

export class NotLoggedInError extends DevtunnelError {
  override name = 'NotLoggedInError';
  constructor(opts: { expired?: boolean; detail?: string; exitCode?: number | null } = {}) {
    super(
      opts.expired
        ? 'Your Dev Tunnels login has expired: run `devtunnel user login` in a terminal, then try again.'
        : 'You are not logged in to Dev Tunnels: run `devtunnel user login` in a terminal, then try again.',
      { kind: opts.expired ? 'login-expired' : 'not-logged-in', detail: opts.detail, exitCode: opts.exitCode },
    );
  }
}

export class RateLimitedError extends DevtunnelError {
  override name = 'RateLimitedError';
  constructor(opts: { detail?: string; exitCode?: number | null } = {}) {
    super(
      'The Dev Tunnels service is rate-limiting this account (429): wait a minute and try again, or run `devtunnel limits` to see your usage.',
      { kind: 'rate-limited', ...opts },
    );
  }
}

export class TunnelExistsError extends DevtunnelError {
  override name = 'TunnelExistsError';
  constructor(
    readonly tunnelId: string,
    opts: { detail?: string; exitCode?: number | null } = {},
  ) {
    super(
      `A dev tunnel with the id "${tunnelId}" already exists: use it as it is, delete it with \`devtunnel delete ${tunnelId}\`, or choose another tunnel.id.`,
      { kind: 'conflict', ...opts },
    );
  }
}

export class TunnelNotFoundError extends DevtunnelError {
  override name = 'TunnelNotFoundError';
  constructor(
    readonly tunnelId: string,
    opts: { detail?: string; exitCode?: number | null } = {},
  ) {
    super(
      `The dev tunnel "${tunnelId}" does not exist (or belongs to another account): run Set Up Bot to create it, or \`devtunnel create ${tunnelId} --allow-anonymous\`.`,
      { kind: 'not-found', ...opts },
    );
  }
}
