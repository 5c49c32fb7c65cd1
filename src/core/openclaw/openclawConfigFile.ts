import * as fs from 'node:fs';
import JSON5 from 'json5';
import { isRecord } from '../process/extractJson';

/**
 * Reads what the companion needs from openclaw.json (JSON5: comments,
 * unquoted keys, single quotes, trailing commas). Read-only: OpenClaw owns
 * the file, and its first pairing approval rewrites it as plain JSON.
 */
export interface OpenClawConfigFacts {
  exists: boolean;
  /** commands.ownerAllowFrom is set: approvals will not rewrite the file. */
  hasCommandOwner: boolean;
  /** channels.msteams.allowFrom: senders allowed by config rather than by pairing. */
  msteamsAllowFrom: string[];
  /** The file has // or /* comments that a rewrite would lose. */
  hasComments: boolean;
  /** Set when the file is not valid JSON5 (the diagnostics say where). */
  parseError?: string;
}

export function readOpenClawConfig(configPath: string): OpenClawConfigFacts {
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch {
    return { exists: false, hasCommandOwner: false, msteamsAllowFrom: [], hasComments: false };
  }
  const hasComments = /(^|[^:"'])\/\/|\/\*/.test(text);
  let json: unknown;
  try {
    json = JSON5.parse(text);
  } catch (err) {
    return { exists: true, hasCommandOwner: false, msteamsAllowFrom: [], hasComments, parseError: (err as Error).message };
  }
  const commands = isRecord(json) && isRecord(json.commands) ? json.commands : {};
  const channels = isRecord(json) && isRecord(json.channels) ? json.channels : {};
  const msteams = isRecord(channels.msteams) ? channels.msteams : {};
  const owners = Array.isArray(commands.ownerAllowFrom) ? commands.ownerAllowFrom : [];
  return {
    exists: true,
    hasCommandOwner: owners.length > 0,
    msteamsAllowFrom: Array.isArray(msteams.allowFrom) ? msteams.allowFrom.map(String) : [],
    hasComments,
  };
}
