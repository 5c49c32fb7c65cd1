/**
 * A failure of the OpenClaw CLI, with a code callers branch on and a message
 * that says what to do. Codes of our own, because OpenClaw's `pairing` and
 * `config` commands answer failures in prose on stderr (only some accept
 * --json, see S7 in the fixture README):
 *
 *   NODE_UNSUPPORTED  the CLI refused the Node it runs on (it needs node:sqlite: 24.16+)
 *   TOO_OLD           older than MIN_OPENCLAW_VERSION
 *   UNREADABLE_OUTPUT it answered, but not in a shape we know; `printed` has what it said
 *   UNKNOWN_CODE      approve: no pending request has that code (expired, or approved elsewhere)
 *   REQUEST_GONE      the gateway no longer has the request
 *   GATEWAY_UNAVAILABLE the gateway is not running or not reachable with the configured credentials
 *   CONFIG_INVALID    openclaw.json is invalid, so OpenClaw refuses to run the command
 *   CLI_FAILED        anything else: non-zero exit, with its last words
 */
export type OpenClawErrorCode =
  | 'NODE_UNSUPPORTED'
  | 'TOO_OLD'
  | 'UNREADABLE_OUTPUT'
  | 'UNKNOWN_CODE'
  | 'REQUEST_GONE'
  | 'GATEWAY_UNAVAILABLE'
  | 'CONFIG_INVALID'
  | 'CLI_FAILED';

export class OpenClawError extends Error {
  override readonly name = 'OpenClawError';

  constructor(
    readonly code: OpenClawErrorCode,
    message: string,
    /** What the CLI printed (redacted, trimmed), for messages that must show it. */
    readonly printed?: string,
    readonly exitCode?: number | null,
  ) {
    super(message);
  }
}
