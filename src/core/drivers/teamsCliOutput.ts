import { extractJson, isRecord } from '../process/extractJson';

/**
 * Pure readers of what the Teams CLI (`teams`, npm @microsoft/teams.cli 3.x)
 * prints with --json. Shapes follow the package's own output code; fields the
 * CLI omits come back as null/undefined rather than failing the parse, so a
 * newer CLI that adds fields keeps working.
 */

export interface TeamsStatus {
  loggedIn: boolean;
  username: string | null;
  tenantId: string | null;
  userObjectId: string | null;
  /** Teams Developer Portal reachability and sideloading; null when logged out. */
  tdp: { connected: boolean; sideloading: { tenant: boolean | null; user: boolean | null } } | null;
  azureCli: {
    installed: boolean;
    loggedIn: boolean;
    subscription: { name: string; id: string } | null;
    tenantId: string | null;
    tenantMatch: boolean | null;
  };
}

/** `teams app create --json`, minus the client secret (see AppCreateOutput). */
export interface CreatedTeamsApp {
  appName: string;
  teamsAppId: string;
  /** The bot's (Entra app's) client id. */
  botId: string;
  endpoint: string | null;
  installLink: string;
  portalLink: string;
  /** "teams-managed" or "azure". */
  botLocation: string;
  secretSkipped: boolean;
  /** Present when no credentials file was requested; the secret itself is never in here. */
  credentials?: { clientId: string; tenantId: string | null };
  /** Present when --env was given: the CLI wrote the credentials there instead. */
  credentialsFile?: string;
}

export interface AppCreateOutput {
  app: CreatedTeamsApp;
  /** Kept apart from `app` so `app` can be logged or stored without leaking it. */
  clientSecret?: string;
}

export interface AppUpdateResult {
  teamsAppId: string;
  botId?: string;
  validDomains?: string[];
  /** What the CLI changed, e.g. { endpoint: "https://…" }. */
  updated: Record<string, unknown>;
  /** The manifest version was bumped, so Teams needs the app reinstalled. */
  needsReinstall: boolean;
}

export interface TeamsAppDetails {
  appId: string | null;
  teamsAppId: string;
  name: string | null;
  longName: string | null;
  version: string | null;
  developer: string | null;
  shortDescription: string | null;
  longDescription: string | null;
  websiteUrl: string | null;
  privacyUrl: string | null;
  termsOfUseUrl: string | null;
  endpoint: string | null;
  installLink: string;
  portalLink: string | null;
}

export type DoctorStatus = 'pass' | 'fail' | 'warn' | 'info';

export interface DoctorCheck {
  category: string;
  label: string;
  status: DoctorStatus;
  detail?: string;
}

export interface DoctorReport {
  appId: string;
  appName: string;
  checks: DoctorCheck[];
  summary: { total: number; pass: number; fail: number; warn: number; info: number };
}

/** {"ok": false, "error": {"code", "message", "suggestion"?}} with exit code 1. */
export interface TeamsCliErrorInfo {
  code: string;
  message: string;
  suggestion?: string;
}

/** `teams [command…] --help --json`: the command tree as commander describes it. */
export interface CommandHelp {
  name: string;
  description: string;
  options: { flags: string; description: string; defaultValue?: string; choices?: string[] }[];
  arguments: { name: string; description: string; required?: boolean }[];
  commands: CommandHelp[];
  /** Only on the root. */
  version?: string;
}

export function parseErrorEnvelope(output: string): TeamsCliErrorInfo | undefined {
  const json = extractJson(output);
  if (!isRecord(json) || json.ok !== false || !isRecord(json.error)) return undefined;
  const error = json.error;
  return {
    code: str(error.code) ?? 'UNKNOWN',
    message: str(error.message) ?? 'The Teams CLI reported an error without a message.',
    suggestion: str(error.suggestion),
  };
}

export function parseStatus(output: string): TeamsStatus {
  const json = requireObject(output, 'status');
  const tdp = isRecord(json.tdp) ? json.tdp : undefined;
  const sideloading = tdp && isRecord(tdp.sideloading) ? tdp.sideloading : {};
  const az = isRecord(json.azureCli) ? json.azureCli : {};
  const sub = isRecord(az.subscription) ? az.subscription : undefined;
  return {
    loggedIn: json.loggedIn === true,
    username: str(json.username) ?? null,
    tenantId: str(json.tenantId) ?? null,
    userObjectId: str(json.userObjectId) ?? null,
    tdp: tdp
      ? {
          connected: tdp.connected === true,
          sideloading: { tenant: bool(sideloading.tenant), user: bool(sideloading.user) },
        }
      : null,
    azureCli: {
      installed: az.installed === true,
      loggedIn: az.loggedIn === true,
      subscription: sub ? { name: str(sub.name) ?? '', id: str(sub.id) ?? '' } : null,
      tenantId: str(az.tenantId) ?? null,
      tenantMatch: bool(az.tenantMatch),
    },
  };
}

export function parseAppCreate(output: string): AppCreateOutput {
  const json = requireObject(output, 'app create');
  const teamsAppId = requireString(json, 'teamsAppId', 'app create');
  const botId = requireString(json, 'botId', 'app create');
  const creds = isRecord(json.credentials) ? json.credentials : undefined;
  const app: CreatedTeamsApp = {
    appName: str(json.appName) ?? '',
    teamsAppId,
    botId,
    endpoint: str(json.endpoint) ?? null,
    installLink: str(json.installLink) ?? '',
    portalLink: str(json.portalLink) ?? '',
    botLocation: str(json.botLocation) ?? 'teams-managed',
    secretSkipped: json.secretSkipped === true,
  };
  if (creds) app.credentials = { clientId: str(creds.CLIENT_ID) ?? botId, tenantId: str(creds.TENANT_ID) ?? null };
  const credentialsFile = str(json.credentialsFile);
  if (credentialsFile) app.credentialsFile = credentialsFile;
  const clientSecret = creds ? str(creds.CLIENT_SECRET) : undefined;
  return clientSecret ? { app, clientSecret } : { app };
}

export function parseAppUpdate(output: string): AppUpdateResult {
  const json = requireObject(output, 'app update');
  return {
    teamsAppId: requireString(json, 'teamsAppId', 'app update'),
    botId: str(json.botId),
    validDomains: Array.isArray(json.validDomains) ? json.validDomains.filter((d): d is string => typeof d === 'string') : undefined,
    updated: isRecord(json.updated) ? json.updated : {},
    needsReinstall: json.needsReinstall === true,
  };
}

export function parseAppGet(output: string): TeamsAppDetails {
  const json = requireObject(output, 'app get');
  return {
    appId: str(json.appId) ?? null,
    teamsAppId: requireString(json, 'teamsAppId', 'app get'),
    name: str(json.name) ?? null,
    longName: str(json.longName) ?? null,
    version: str(json.version) ?? null,
    developer: str(json.developer) ?? null,
    shortDescription: str(json.shortDescription) ?? null,
    longDescription: str(json.longDescription) ?? null,
    websiteUrl: str(json.websiteUrl) ?? null,
    privacyUrl: str(json.privacyUrl) ?? null,
    termsOfUseUrl: str(json.termsOfUseUrl) ?? null,
    endpoint: str(json.endpoint) ?? null,
    installLink: requireString(json, 'installLink', 'app get'),
    portalLink: str(json.portalLink) ?? null,
  };
}

/** `teams app get APPID --install-link` without --json prints just the link. */
export function parseInstallLink(output: string): string {
  const link = output
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .find((l) => /^https:\/\/teams\.microsoft\.com\//.test(l));
  if (!link) throw new Error('The Teams CLI printed no install link.');
  return link;
}

export function parseDoctor(output: string): DoctorReport {
  const json = requireObject(output, 'app doctor');
  const checks = (Array.isArray(json.checks) ? json.checks : []).filter(isRecord).map(
    (c): DoctorCheck => {
      const check: DoctorCheck = {
        category: str(c.category) ?? '',
        label: str(c.label) ?? '',
        status: toDoctorStatus(c.status),
      };
      const detail = str(c.detail);
      if (detail) check.detail = detail;
      return check;
    },
  );
  const count = (s: DoctorStatus) => checks.filter((c) => c.status === s).length;
  return {
    appId: str(json.appId) ?? '',
    appName: str(json.appName) ?? '',
    checks,
    // Recounted from the checks so an older or newer CLI's summary shape cannot disagree with them.
    summary: { total: checks.length, pass: count('pass'), fail: count('fail'), warn: count('warn'), info: count('info') },
  };
}

export function parseCommandHelp(output: string): CommandHelp {
  const json = requireObject(output, '--help --json');
  const help = toCommandHelp(json);
  if (!help) throw new Error('The Teams CLI printed no command description.');
  return help;
}

/** The subcommand at `path` (e.g. ["app", "create"]) in a help tree. */
export function findCommand(root: CommandHelp, path: readonly string[]): CommandHelp | undefined {
  let node: CommandHelp | undefined = root;
  for (const name of path) {
    node = node?.commands.find((c) => c.name === name);
    if (!node) return undefined;
  }
  return node;
}

/** Whether a command accepts an option, by its long name ("--endpoint") or short one ("-e"). */
export function hasOption(command: CommandHelp, flag: string): boolean {
  return command.options.some((o) => o.flags.split(/[\s,]+/).includes(flag));
}

function toCommandHelp(raw: Record<string, unknown>): CommandHelp | undefined {
  const name = str(raw.name);
  if (name === undefined) return undefined;
  const help: CommandHelp = {
    name,
    description: str(raw.description) ?? '',
    options: (Array.isArray(raw.options) ? raw.options : []).filter(isRecord).map((o) => {
      const option: CommandHelp['options'][number] = { flags: str(o.flags) ?? '', description: str(o.description) ?? '' };
      const defaultValue = str(o.defaultValue);
      if (defaultValue !== undefined) option.defaultValue = defaultValue;
      if (Array.isArray(o.choices)) option.choices = o.choices.filter((c): c is string => typeof c === 'string');
      return option;
    }),
    arguments: (Array.isArray(raw.arguments) ? raw.arguments : []).filter(isRecord).map((a) => ({
      name: str(a.name) ?? '',
      description: str(a.description) ?? '',
      ...(a.required === true ? { required: true } : {}),
    })),
    commands: (Array.isArray(raw.commands) ? raw.commands : [])
      .filter(isRecord)
      .map(toCommandHelp)
      .filter((c): c is CommandHelp => c !== undefined),
  };
  const version = str(raw.version);
  if (version !== undefined) help.version = version;
  return help;
}

function toDoctorStatus(value: unknown): DoctorStatus {
  return value === 'pass' || value === 'fail' || value === 'warn' || value === 'info' ? value : 'info';
}

function requireObject(output: string, command: string): Record<string, unknown> {
  const json = extractJson(output);
  if (!isRecord(json)) throw new Error(`The Teams CLI printed no JSON object for ${command}.`);
  return json;
}

function requireString(json: Record<string, unknown>, key: string, command: string): string {
  const value = str(json[key]);
  if (value === undefined) throw new Error(`The Teams CLI's ${command} output has no "${key}".`);
  return value;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}
