import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, parseTree, printParseErrorCode, getNodeValue, type Node, type ParseError } from 'jsonc-parser';
import { configSchema, configValidator } from './configSchema';
import { closestKey, schemaErrorText } from './schemaErrorText';
import { secretChecks, semanticChecks } from './semanticChecks';
import { applyEnvOverlay, type EnvKey } from './envOverlay';
import { formatPath, pointerToSegments, type PathSegment } from './configPath';
import { formatDiagnostic, hasErrors, type ConfigDiagnostic } from './configDiagnostic';
import type { TeamsBotConfig, TeamsBotSecrets } from './configTypes';

export const CONFIG_FILE_NAME = 'teams-bot.config.json';

export interface LoadedConfig {
  /** Absolute path of the file, when loaded from one. */
  file?: string;
  /** False when no file exists and the defaults are in force. */
  exists: boolean;
  /** The validated config with defaults filled in; absent when there are errors. */
  config?: TeamsBotConfig;
  secrets: TeamsBotSecrets;
  diagnostics: ConfigDiagnostic[];
}

/** Thrown by requireValidConfig; its message lists every error, one per line. */
export class ConfigInvalidError extends Error {
  constructor(readonly file: string | undefined, readonly diagnostics: ConfigDiagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      `${file ?? 'The configuration'} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n` +
        errors.map((d) => `  ${formatDiagnostic(d)}`).join('\n'),
    );
    this.name = 'ConfigInvalidError';
  }
}

export interface ParseOptions {
  env?: NodeJS.ProcessEnv;
  file?: string;
}

/** Parses, overlays the environment, validates against the schema and runs the semantic checks. */
export function parseConfigText(text: string, options: ParseOptions = {}): LoadedConfig {
  const env = options.env ?? {};
  const lines = lineStarts(text);
  const diagnostics: ConfigDiagnostic[] = [];
  const parseErrors: ParseError[] = [];
  const root = parseTree(text, parseErrors, { allowTrailingComma: true, disallowComments: false });

  for (const e of parseErrors) {
    diagnostics.push({
      severity: 'error',
      code: 'syntax',
      path: '',
      message: `JSON syntax error: ${syntaxText(printParseErrorCode(e.error))}`,
      ...position(lines, e.offset, Math.max(e.length, 1)),
    });
  }
  if (parseErrors.length) return { file: options.file, exists: true, secrets: {}, diagnostics };

  const value: unknown = root ? getNodeValue(root) : {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    diagnostics.push({ severity: 'error', code: 'not-an-object', path: '', message: 'the file must contain one JSON object ({ … })', line: 1, column: 1, offset: 0, length: 1 });
    return { file: options.file, exists: true, secrets: {}, diagnostics };
  }

  const raw = value as Record<string, unknown>;
  const overlay = applyEnvOverlay(raw, env);
  // Validate a copy: ajv fills defaults in place and the semantic checks need the raw keys.
  const data = structuredClone(raw);
  const validate = configValidator();
  const valid = validate(data);

  const locate = (segments: PathSegment[], severity: ConfigDiagnostic['severity'], code: string, message: string, atKey = false): ConfigDiagnostic => {
    const top = segments[0];
    const envVar: EnvKey | undefined = typeof top === 'string' ? overlay.sources.get(top) : undefined;
    const diagnostic: ConfigDiagnostic = { severity, code, path: formatPath(segments), message };
    if (envVar) return { ...diagnostic, envVar };
    const node = root ? findNodeAtLocation(root, segments) : undefined;
    const target = node ? (atKey ? keyNode(node) ?? node : node) : undefined;
    return target ? { ...diagnostic, ...position(lines, target.offset, target.length) } : diagnostic;
  };

  if (!valid) {
    for (const error of validate.errors ?? []) {
      // The "appPassword" property exists in the schema only to carry a deprecation message.
      const segments = pointerToSegments(error.instancePath);
      if (error.keyword === 'additionalProperties') {
        const key = String((error.params as { additionalProperty: string }).additionalProperty);
        const known = allowedKeys(segments);
        const suggestion = closestKey(key, known);
        diagnostics.push({ ...locate([...segments, key], 'error', 'schema:additionalProperties', schemaErrorText(error, known), true), ...(suggestion ? { suggestion } : {}) });
      } else {
        diagnostics.push(locate(segments, 'error', `schema:${error.keyword}`, schemaErrorText(error, [])));
      }
    }
    diagnostics.push(...secretChecks(raw, locate));
    return { file: options.file, exists: true, secrets: overlay.secrets, diagnostics: dedupe(diagnostics).sort(byPosition) };
  }

  const config = data as unknown as TeamsBotConfig;
  delete (config as unknown as Record<string, unknown>).appPassword;
  delete (config as unknown as Record<string, unknown>).$schema;
  if (config.certificatePath && options.file && !path.isAbsolute(config.certificatePath)) {
    config.certificatePath = path.resolve(path.dirname(options.file), config.certificatePath);
  }
  diagnostics.push(...semanticChecks(config, raw, locate));
  return {
    file: options.file,
    exists: true,
    config: hasErrors(diagnostics) ? undefined : config,
    secrets: overlay.secrets,
    diagnostics: diagnostics.sort(byPosition),
  };
}

/** Reads and validates a config file. A missing file is not an error: the defaults apply (local mode). */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await fs.readFile(absolute, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ...parseConfigText('{}', { env, file: absolute }), exists: false };
    }
    throw new Error(`Cannot read ${absolute}: ${(err as Error).message}. Check the path and its permissions.`);
  }
  return parseConfigText(text, { env, file: absolute });
}

/** The config, or a ConfigInvalidError listing every error with its line and column. */
export function requireValidConfig(loaded: LoadedConfig): TeamsBotConfig {
  if (!loaded.config) throw new ConfigInvalidError(loaded.file, loaded.diagnostics);
  return loaded.config;
}

/** The defaults alone: what a missing file means. */
export function defaultConfig(): TeamsBotConfig {
  return requireValidConfig(parseConfigText('{}'));
}

function allowedKeys(segments: PathSegment[]): string[] {
  let node: Record<string, unknown> = configSchema as unknown as Record<string, unknown>;
  for (const seg of segments) {
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    const next = props?.[String(seg)] ?? (node.additionalProperties as Record<string, unknown> | undefined);
    if (!next || typeof next !== 'object') return [];
    node = next;
  }
  return Object.keys((node.properties as object | undefined) ?? {}).filter((k) => k !== '$schema' && k !== 'appPassword');
}

function keyNode(node: Node): Node | undefined {
  return node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number, length: number): Pick<ConfigDiagnostic, 'line' | 'column' | 'offset' | 'length'> {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1, offset, length };
}

function syntaxText(code: string): string {
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `${words} (check for a missing comma, quote or bracket just before this point)`;
}

function dedupe(list: ConfigDiagnostic[]): ConfigDiagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    // One error per value is enough: "must be a string" makes "must be one of …" noise.
    const key = d.code === 'schema:additionalProperties' ? `${d.path}|${d.message}` : d.path;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function byPosition(a: ConfigDiagnostic, b: ConfigDiagnostic): number {
  return (a.offset ?? -1) - (b.offset ?? -1);
}
