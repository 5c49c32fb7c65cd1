import JSON5 from 'json5';
import type { ConfigDiagnostic } from '../config/configDiagnostic';
import { formatPath, pointerToSegments } from '../config/configPath';
import { configValidator } from '../config/configSchema';
import { schemaErrorText } from '../config/schemaErrorText';
import { isRecord } from '../process/extractJson';
import { lineColumn, locateJson5Values } from './json5Locations';
import type { ValidationResult } from './openclawOutput';

/**
 * Problems in openclaw.json's channels.msteams, from two sources:
 *
 *   - our own schema (schema/teams-bot.config.schema.json, through the same
 *     validator and sentences as teams-bot.config.json) for the keys the two
 *     files share, so `dmPolicy: "bogus"` reads the same in both;
 *   - OpenClaw's own `config validate --json` issues (slow: the caller runs
 *     it in the background), for everything else.
 *
 * Both are placed at line and column by path. Where both report the same
 * path, ours is kept (same words as our own config) and OpenClaw's dropped.
 */

/** Keys of channels.msteams that mean the same as in teams-bot.config.json. */
export const SHARED_MSTEAMS_KEYS = ['appId', 'tenantId', 'dmPolicy', 'allowFrom', 'groupPolicy', 'groupAllowFrom', 'requireMention'] as const;

const PREFIX = 'channels.msteams';

export function openclawConfigDiagnostics(text: string, validation?: ValidationResult): ConfigDiagnostic[] {
  const locations = locateJson5Values(text);
  const at = (path: string, severity: ConfigDiagnostic['severity'], code: string, message: string, where = path): ConfigDiagnostic => {
    const loc = locations.get(where);
    const base: ConfigDiagnostic = { severity, code, path, message };
    if (!loc) return base;
    return { ...base, ...lineColumn(text, loc.offset), offset: loc.offset, length: loc.length };
  };

  let json: unknown;
  try {
    json = JSON5.parse(text);
  } catch (err) {
    // "JSON5: invalid character 'x' at 3:5"
    const m = /at (\d+):(\d+)\s*$/.exec((err as Error).message);
    const line = m ? Number(m[1]) : 1;
    const column = m ? Number(m[2]) : 1;
    return [{ severity: 'error', code: 'syntax', path: '', message: `JSON5 syntax error: ${(err as Error).message.replace(/^JSON5: /, '').replace(/ at \d+:\d+\s*$/, '')}`, line, column, offset: offsetOf(text, line, column), length: 1 }];
  }

  const diagnostics: ConfigDiagnostic[] = [];
  const channels = isRecord(json) && isRecord(json.channels) ? json.channels : undefined;
  const msteams = channels && isRecord(channels.msteams) ? channels.msteams : undefined;
  if (msteams) {
    const shared: Record<string, unknown> = {};
    for (const key of SHARED_MSTEAMS_KEYS) if (key in msteams) shared[key] = structuredClone(msteams[key]);
    const validate = configValidator();
    if (!validate(shared)) {
      for (const error of validate.errors ?? []) {
        const segments = pointerToSegments(error.instancePath);
        diagnostics.push(at(`${PREFIX}.${formatPath(segments)}`, 'error', `schema:${error.keyword}`, schemaErrorText(error, [])));
      }
    }
  }

  for (const issue of validation?.issues ?? []) {
    if (issue.path === '<root>' || issue.path === '') continue; // a syntax error: reported above from JSON5 itself
    if (diagnostics.some((d) => d.path === issue.path || issue.path.startsWith(`${d.path}.`) || issue.path.startsWith(`${d.path}[`))) continue;
    diagnostics.push(at(issue.path, 'error', 'openclaw', `${issue.message} (openclaw config validate)`, nearestLocated(issue.path, locations)));
  }
  return diagnostics;
}

/** An issue's own path if it is in the file, else its nearest ancestor that is (an unknown key is reported on its parent). */
function nearestLocated(path: string, locations: Map<string, unknown>): string {
  for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    if (locations.has(p)) return p;
    if (!/[.[]/.test(p)) break;
  }
  return path;
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + column - 1);
}
