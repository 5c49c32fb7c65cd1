import { stripAnsi } from '../process/ansi';
import { extractJson, isRecord } from '../process/extractJson';
import { nonEmptyLines } from '../process/textLines';

/**
 * Pure readers of what the `devtunnel` CLI prints. They accept the output as
 * the CLI emits it (ANSI colours, CRLF, banners around JSON, lines the CLI
 * adds in newer versions) and ignore what they do not recognise.
 */

export interface DevtunnelUserStatus {
  loggedIn: boolean;
  /** True when the CLI has a login that expired (it still exits 0 in that case). */
  expired: boolean;
  username?: string;
  /** Lower-case provider name: "microsoft", "github", … */
  provider?: string;
  tenantId?: string;
  /** The CLI's own status phrase, for messages. */
  status: string;
}

export interface TunnelPort {
  portNumber: number;
  protocol: string;
  /** The public URL of this port, e.g. https://mybot-3978.euw.devtunnels.ms/ (show/list only). */
  portUri?: string;
  clientConnections?: number;
}

export interface TunnelInfo {
  /** As the service reports it, usually with the cluster: "mybot.euw". */
  tunnelId: string;
  /** The id without the cluster suffix: "mybot". */
  name: string;
  clusterId?: string;
  hostConnections: number;
  clientConnections: number;
  description: string;
  labels: string[];
  ports: TunnelPort[];
  accessControl: string[];
  /** Whether an access entry lets anonymous clients connect; undefined when the output does not say. */
  allowsAnonymous?: boolean;
  expiration?: string;
}

export type DevtunnelFailureKind =
  | 'not-logged-in'
  | 'login-expired'
  | 'rate-limited'
  | 'conflict'
  | 'not-found'
  | 'unknown';

// --- user show -------------------------------------------------------------

export function parseUserShow(output: string): DevtunnelUserStatus {
  const json = extractJson(output);
  if (isRecord(json) && typeof json.status === 'string') {
    const status = json.status.trim();
    return {
      loggedIn: /^logged in$/i.test(status),
      expired: /expired/i.test(status),
      username: optionalString(json.username),
      provider: optionalString(json.provider)?.toLowerCase(),
      tenantId: optionalString(json.tenantId),
      status,
    };
  }

  const text = nonEmptyLines(output);
  for (const line of text) {
    const m = /^Logged in as (.+?) using ([A-Za-z][A-Za-z ]*?)\.?$/i.exec(line);
    if (m) return { loggedIn: true, expired: false, username: m[1], provider: m[2].toLowerCase(), status: 'Logged in' };
  }
  const expiredLine = text.find((l) => /token expired|login expired/i.test(l));
  if (expiredLine) return { loggedIn: false, expired: true, status: expiredLine };
  const notLoggedIn = text.find((l) => /not logged in|login required/i.test(l));
  return { loggedIn: false, expired: false, status: notLoggedIn ?? text[0] ?? 'Not logged in' };
}

// --- create / show / list / port create ---------------------------------------

/** `devtunnel create|show ID --json`: {"tunnel": {...}}. */
export function parseTunnelJson(output: string): TunnelInfo {
  const json = extractJson(output);
  const raw = isRecord(json) && isRecord(json.tunnel) ? json.tunnel : json;
  const tunnel = isRecord(raw) ? toTunnel(raw) : undefined;
  if (!tunnel) throw new Error('devtunnel printed no tunnel in its JSON output.');
  return tunnel;
}

/** `devtunnel list --json`: {"tunnels": [...]}. */
export function parseTunnelList(output: string): TunnelInfo[] {
  const json = extractJson(output);
  const raw = isRecord(json) ? json.tunnels : json;
  if (!Array.isArray(raw)) throw new Error('devtunnel printed no tunnel list in its JSON output.');
  return raw.filter(isRecord).map(toTunnel).filter((t): t is TunnelInfo => t !== undefined);
}

/** `devtunnel port create ID -p N --json`: {"port": {...}}. */
export function parsePortJson(output: string): TunnelPort {
  const json = extractJson(output);
  const raw = isRecord(json) && isRecord(json.port) ? json.port : json;
  const port = isRecord(raw) ? toPort(raw) : undefined;
  if (!port) throw new Error('devtunnel printed no port in its JSON output.');
  return port;
}

/** "mybot.euw" → { name: "mybot", clusterId: "euw" }; ids themselves never contain dots. */
export function splitTunnelId(tunnelId: string): { name: string; clusterId?: string } {
  const dot = tunnelId.indexOf('.');
  if (dot < 0) return { name: tunnelId };
  return { name: tunnelId.slice(0, dot), clusterId: tunnelId.slice(dot + 1) || undefined };
}

function toTunnel(raw: Record<string, unknown>): TunnelInfo | undefined {
  const tunnelId = optionalString(raw.tunnelId);
  if (!tunnelId) return undefined;
  const { name, clusterId } = splitTunnelId(tunnelId);
  const accessControl = Array.isArray(raw.accessControl) ? raw.accessControl.map(describeAccessEntry) : [];
  return {
    tunnelId,
    name,
    clusterId: optionalString(raw.clusterId) ?? clusterId,
    hostConnections: toNumber(raw.hostConnections) ?? 0,
    clientConnections: toNumber(raw.clientConnections) ?? 0,
    description: optionalString(raw.description) ?? '',
    labels: Array.isArray(raw.labels) ? raw.labels.filter((l): l is string => typeof l === 'string') : [],
    ports: Array.isArray(raw.ports) ? raw.ports.filter(isRecord).map(toPort).filter((p): p is TunnelPort => p !== undefined) : [],
    accessControl,
    allowsAnonymous: Array.isArray(raw.accessControl) ? accessControl.some(isAnonymousAllow) : undefined,
    expiration: optionalString(raw.tunnelExpiration),
  };
}

function toPort(raw: Record<string, unknown>): TunnelPort | undefined {
  const portNumber = toNumber(raw.portNumber);
  if (portNumber === undefined) return undefined;
  return {
    portNumber,
    protocol: optionalString(raw.protocol) ?? 'auto',
    portUri: optionalString(raw.portUri),
    clientConnections: toNumber(raw.clientConnections),
  };
}

// The CLI prints entries as "+Anonymous [connect]"; structured entries are described the same way.
function describeAccessEntry(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (isRecord(entry)) {
    const type = optionalString(entry.type) ?? '?';
    const deny = entry.isDeny === true ? '-' : '+';
    const scopes = Array.isArray(entry.scopes) ? entry.scopes.join(' ') : '';
    return `${deny}${type} [${scopes}]`;
  }
  return String(entry);
}

function isAnonymousAllow(entry: string): boolean {
  return /^\s*\+?\s*Anonymous\b.*\bconnect\b/i.test(entry) && !/^\s*-/.test(entry);
}

// --- failures -----------------------------------------------------------------

/** What went wrong, from the text of a failed command (stdout and stderr together). */
export function classifyDevtunnelFailure(output: string): DevtunnelFailureKind {
  const text = stripAnsi(output);
  if (/rate limit|too many requests|\b429\b/i.test(text)) return 'rate-limited';
  if (/(token|login) expired/i.test(text)) return 'login-expired';
  if (/anonymous does not have|not logged in|login required|unauthorized tunnel creation|please log ?in/i.test(text)) {
    return 'not-logged-in';
  }
  if (/conflict with existing entity|already exists/i.test(text)) return 'conflict';
  if (/not found|does not exist/i.test(text)) return 'not-found';
  return 'unknown';
}

// --- host -----------------------------------------------------------------------

export type HostEvent =
  | { kind: 'port'; port: number }
  | { kind: 'url'; port: number | undefined; url: string; urls: string[] }
  | { kind: 'inspect'; port: number | undefined; url: string }
  | { kind: 'ready'; tunnelId: string }
  | { kind: 'failure'; failure: DevtunnelFailureKind; line: string };

/**
 * Reads `devtunnel host` output one line at a time. Current versions print
 *   Hosting port: 3978
 *   Connect via browser: https://mybot.euw.devtunnels.ms:3978, https://mybot-3978.euw.devtunnels.ms
 *   Inspect network activity: https://mybot-3978-inspect.euw.devtunnels.ms
 *   Ready to accept connections for tunnel: mybot.euw
 * older ones put it on one line:
 *   Hosting port 3978 at https://…:3978/, https://mybot-3978.euw.devtunnels.ms/ and inspect it at https://…
 * so the parser remembers which port the following lines belong to.
 */
export class HostOutputParser {
  private currentPort: number | undefined;

  feed(rawLine: string): HostEvent[] {
    const line = stripAnsi(rawLine).trim();
    if (line.length === 0) return [];

    const hosting = /^Hosting port:?\s*(\d+)\b(.*)$/i.exec(line);
    if (hosting) {
      const port = Number(hosting[1]);
      this.currentPort = port;
      const events: HostEvent[] = [{ kind: 'port', port }];
      const rest = hosting[2];
      const at = /\bat\s+(.*)$/i.exec(rest);
      if (at) {
        const [browsePart, inspectPart] = at[1].split(/\s+and inspect it at\s+/i);
        const urls = findUrls(browsePart);
        const url = pickPortUrl(urls, port);
        if (url) events.push({ kind: 'url', port, url, urls });
        const inspect = inspectPart ? findUrls(inspectPart)[0] : undefined;
        if (inspect) events.push({ kind: 'inspect', port, url: inspect });
      }
      return events;
    }

    const browse = /^Connect via browser:\s*(.*)$/i.exec(line);
    if (browse) {
      const urls = findUrls(browse[1]);
      const port = this.currentPort ?? portFromUrl(urls);
      const url = pickPortUrl(urls, port);
      return url ? [{ kind: 'url', port, url, urls }] : [];
    }

    const inspect = /^Inspect network activity:\s*(.*)$/i.exec(line);
    if (inspect) {
      const url = findUrls(inspect[1])[0];
      return url ? [{ kind: 'inspect', port: this.currentPort, url }] : [];
    }

    const ready = /^Ready to accept connections for tunnel:?\s*(\S+)/i.exec(line);
    if (ready) return [{ kind: 'ready', tunnelId: ready[1] }];

    const failure = classifyDevtunnelFailure(line);
    if (failure !== 'unknown') return [{ kind: 'failure', failure, line }];
    return [];
  }
}

export interface HostSummary {
  /** Public URL per hosted port. */
  urls: Map<number, string>;
  inspectUrls: Map<number, string>;
  ports: number[];
  readyTunnelId?: string;
  failure?: DevtunnelFailureKind;
}

/** Reads a whole recorded `devtunnel host` transcript. */
export function parseHostOutput(output: string): HostSummary {
  const parser = new HostOutputParser();
  const summary: HostSummary = { urls: new Map(), inspectUrls: new Map(), ports: [] };
  for (const line of output.split(/\r\n|\r|\n/)) {
    for (const event of parser.feed(line)) {
      if (event.kind === 'port' && !summary.ports.includes(event.port)) summary.ports.push(event.port);
      if (event.kind === 'url' && event.port !== undefined) summary.urls.set(event.port, event.url);
      if (event.kind === 'inspect' && event.port !== undefined) summary.inspectUrls.set(event.port, event.url);
      if (event.kind === 'ready') summary.readyTunnelId = event.tunnelId;
      if (event.kind === 'failure') summary.failure ??= event.failure;
    }
  }
  return summary;
}

/**
 * Chooses the URL Teams should call. Persistent tunnels list both
 * https://ID.REGION.devtunnels.ms:PORT and https://ID-PORT.REGION.devtunnels.ms;
 * the second form works on port 443, which is what a bot endpoint needs.
 */
export function pickPortUrl(urls: readonly string[], port: number | undefined): string | undefined {
  if (urls.length === 0) return undefined;
  const hostOf = (u: string) => safeHost(u) ?? '';
  if (port !== undefined) {
    const perPort = urls.find((u) => hostOf(u).includes(`-${port}.`));
    if (perPort) return perPort;
  }
  const withoutExplicitPort = urls.find((u) => !/:\d+$/.test(hostAndPort(u)));
  return withoutExplicitPort ?? urls[0];
}

function findUrls(text: string): string[] {
  const found = text.match(/https?:\/\/?[^\s,]+/gi) ?? [];
  return found.map(normalizeUrl);
}

// Trailing slashes and punctuation are dropped, and the docs' "https:/host" typo is repaired.
function normalizeUrl(url: string): string {
  return url
    .replace(/^(https?):\/(?!\/)/i, '$1://')
    .replace(/[.,;)]+$/, '')
    .replace(/\/+$/, '');
}

function portFromUrl(urls: readonly string[]): number | undefined {
  for (const url of urls) {
    const m = /-(\d+)\./.exec(safeHost(url) ?? '');
    if (m) return Number(m[1]);
  }
  return undefined;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function hostAndPort(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

// --- helpers --------------------------------------------------------------------

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}
