import { extractJson, isRecord } from '../process/extractJson';
import { nonEmptyLines } from '../process/textLines';

/**
 * Pure readers of what the OpenClaw CLI (npm `openclaw`, 2026.9.x) prints.
 * The shapes and texts are the ones recorded from the real CLI in
 * test/fixtures/openclaw/README.md; every reader throws on output it does
 * not recognise rather than guessing, so the caller can show what it printed.
 */

/** The oldest release this was verified against; older ones kept pairings in credentials/*.json, not SQLite. */
export const MIN_OPENCLAW_VERSION = '2026.9.6';

/** A pending msteams pairing request, as `openclaw pairing list msteams --json` reports it. */
export interface OpenClawPairingRequest {
  /** The sender's AAD object id (the msteams plugin's request id). */
  senderId: string;
  code: string;
  /** Display name from Teams, when the plugin recorded one. */
  name?: string;
  accountId: string;
  createdAt: string;
  lastSeenAt: string;
}

/** Requests expire this long after they were made (OpenClaw's CHANNEL_PAIRING_PENDING_TTL_MS). */
export const OPENCLAW_REQUEST_TTL_MS = 60 * 60 * 1000;

export function expiresAt(request: OpenClawPairingRequest): number {
  return Date.parse(request.createdAt) + OPENCLAW_REQUEST_TTL_MS;
}

/** "OpenClaw 2026.9.6 (eb377ac)" → "2026.9.6". */
export function parseVersion(stdout: string): string {
  const m = /OpenClaw\s+v?(\d+\.\d+\.\d+(?:[-.][0-9A-Za-z.]+)?)/.exec(stdout);
  if (!m) throw new Error('no "OpenClaw <version>" line');
  return m[1];
}

/** Numeric comparison of dotted versions (2026.10.1 > 2026.9.6); pre-release tails are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[-+]/)[0].split('.').map(Number);
  const pb = b.split(/[-+]/)[0].split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `pairing list msteams --json`: {"channel":"msteams","requests":[{id, code, createdAt, lastSeenAt, meta:{name, accountId}}]}. */
export function parsePairingList(stdout: string, channel: string): OpenClawPairingRequest[] {
  const json = extractJson(stdout);
  if (!isRecord(json) || !Array.isArray(json.requests)) throw new Error('no {"requests": [...]} object');
  if (json.channel !== channel) throw new Error(`it listed channel "${String(json.channel)}", not "${channel}"`);
  return json.requests.map((r, i) => {
    if (!isRecord(r) || typeof r.id !== 'string' || typeof r.code !== 'string' || typeof r.createdAt !== 'string') {
      throw new Error(`request ${i} has no id, code or createdAt`);
    }
    const meta = isRecord(r.meta) ? r.meta : {};
    return {
      senderId: r.id,
      code: r.code,
      ...(typeof meta.name === 'string' && meta.name ? { name: meta.name } : {}),
      accountId: typeof meta.accountId === 'string' ? meta.accountId : 'default',
      createdAt: r.createdAt,
      lastSeenAt: typeof r.lastSeenAt === 'string' ? r.lastSeenAt : r.createdAt,
    };
  });
}

export interface CliApproveResult {
  senderId: string;
  /** The first approval also made this sender the command owner, rewriting openclaw.json. */
  ownerBootstrapped: boolean;
}

/**
 * `pairing approve msteams CODE` has no --json; it prints
 * "Approved msteams sender <id>." and, on the first approval,
 * "Command owner configured msteams:<id> (…)".
 */
export function parseApproveText(stdout: string, channel: string): CliApproveResult {
  const lines = nonEmptyLines(stdout);
  const re = new RegExp(`^Approved ${escapeRe(channel)} sender (.+?)\\.?$`);
  for (const line of lines) {
    const m = re.exec(line);
    if (m) return { senderId: m[1], ownerBootstrapped: lines.some((l) => l.startsWith('Command owner configured')) };
  }
  throw new Error(`no "Approved ${channel} sender …" line`);
}

/** What the CLI said when it failed: its JSON envelope's message, or the "[openclaw] Reason:" line. */
export function failureReason(stdout: string, stderr: string): { type?: string; message: string } | undefined {
  const json = extractJson(stdout);
  if (isRecord(json) && json.ok === false && isRecord(json.error) && typeof json.error.message === 'string') {
    return { type: typeof json.error.type === 'string' ? json.error.type : undefined, message: json.error.message };
  }
  for (const line of nonEmptyLines(stderr)) {
    const m = /^\[openclaw\]\s+Reason:\s*(.+)$/.exec(line);
    if (m) return { message: m[1] };
  }
  return undefined;
}

/** The launcher's refusal: "openclaw: Node 20.20.2: node:sqlite is unavailable; use 24.16+/26.1+ …". */
export function nodeRefusal(stderr: string): { nodeVersion: string; message: string } | undefined {
  const m = /^openclaw: Node (v?[\d.]+): (.+)$/m.exec(stderr);
  return m ? { nodeVersion: m[1], message: m[2].trim() } : undefined;
}

export interface ValidationIssue {
  /** Dotted config path, e.g. "channels.msteams.dmPolicy", or "<root>" for a syntax error. */
  path: string;
  message: string;
  allowedValues?: string[];
}

export interface ValidationResult {
  valid: boolean;
  /** The file OpenClaw validated. */
  path: string;
  /** False when there is no config file at all (OpenClaw runs on defaults then). */
  exists: boolean;
  issues: ValidationIssue[];
}

/** `config validate --json`: {"valid":true,…} or, with exit 1, the error envelope plus "valid":false and "issues". */
export function parseValidate(stdout: string): ValidationResult {
  const json = extractJson(stdout);
  if (!isRecord(json) || typeof json.valid !== 'boolean' || typeof json.path !== 'string') {
    throw new Error('no {"valid": …, "path": …} object');
  }
  const missing = !json.valid && isRecord(json.error) && json.error.message === 'file not found';
  const issues = Array.isArray(json.issues)
    ? json.issues.filter(isRecord).map(
        (i): ValidationIssue => ({
          path: typeof i.path === 'string' ? i.path : '<root>',
          message: typeof i.message === 'string' ? i.message : 'invalid',
          ...(Array.isArray(i.allowedValues) ? { allowedValues: i.allowedValues.map(String) } : {}),
        }),
      )
    : [];
  return { valid: json.valid || missing, path: json.path, exists: !missing, issues };
}

/** A gateway RPC's answer (`gateway call METHOD --json`): the result object, or the error envelope. */
export function parseGatewayCall(stdout: string): { ok: true; result: Record<string, unknown> } | { ok: false; type: string; message: string } {
  const json = extractJson(stdout);
  if (!isRecord(json)) throw new Error('no JSON object');
  if (json.ok === false && isRecord(json.error)) {
    return {
      ok: false,
      type: typeof json.error.type === 'string' ? json.error.type : 'unknown',
      message: typeof json.error.message === 'string' ? json.error.message : 'the gateway reported an error without a message',
    };
  }
  return { ok: true, result: json };
}

/** A pending request as the gateway's channels.pairing.list reports it (its requestId is not the sender id). */
export interface GatewayPairingRequest {
  requestId: string;
  senderId: string;
  accountId: string;
}

export function parseGatewayRequests(result: Record<string, unknown>): GatewayPairingRequest[] {
  if (!Array.isArray(result.requests)) throw new Error('no "requests" array');
  return result.requests.filter(isRecord).flatMap((r) =>
    typeof r.requestId === 'string' && typeof r.senderId === 'string'
      ? [{ requestId: r.requestId, senderId: r.senderId, accountId: typeof r.accountId === 'string' ? r.accountId : 'default' }]
      : [],
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
