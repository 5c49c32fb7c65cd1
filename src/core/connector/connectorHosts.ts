/**
 * Where an outbound send may go. A send carries the bot's Bot Connector token,
 * and its serviceUrl comes from an inbound activity, so a URL that is not a
 * Bot Connector host would hand that token to whoever wrote the activity.
 *
 * Hosts per cloud follow the Teams SDK's service URL allowlist, which is newer
 * than the SDK version pinned here (microsoft/teams.ts main,
 * packages/api/src/auth/cloud-environment.ts `allowedServiceUrls`; the table at
 * https://microsoft.github.io/teams-sdk/csharp/essentials/app-configuration/service-url-validation)
 * and the proactive-message endpoints Microsoft publishes for government clouds
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages:
 * GCC https://smba.infra.gcc.teams.microsoft.com/teams, GCC High
 * https://smba.infra.gov.teams.microsoft.us/teams, DoD
 * https://smba.infra.dod.teams.microsoft.us/teams). GCC tenants use the public
 * Bot Framework, so their host sits with Public, as in the SDK.
 */
import type { CloudName } from '../config/configTypes';

export const CONNECTOR_HOSTS: Readonly<Record<CloudName, readonly string[]>> = Object.freeze({
  Public: ['smba.trafficmanager.net', 'smba.onyx.prod.teams.trafficmanager.net', 'smba.infra.gcc.teams.microsoft.com'],
  USGov: ['smba.infra.gov.teams.microsoft.us'],
  USGovDoD: ['smba.infra.dod.teams.microsoft.us'],
  China: ['frontend.botapi.msg.infra.teams.microsoftonline.cn'],
});

export interface ConnectorHostContext {
  cloud: CloudName;
  /** No appId means local mode: only loopback targets, and no token is sent. */
  appId?: string;
  /** config.serviceUrl: one extra Bot Connector base URL the developer vouches for. */
  serviceUrl?: string;
}

export type ServiceUrlCheck = { ok: true } | { ok: false; detail: string };

export function checkServiceUrl(url: string, ctx: ConnectorHostContext): ServiceUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(`serviceUrl ${quote(url)} is not an absolute URL.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // https://smba.trafficmanager.net@evil.com goes to evil.com.
    return refuse(`serviceUrl ${quote(redactUserinfo(parsed))} carries a user name or password; a Bot Connector URL never does, and the host it really names is '${parsed.hostname}'.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return refuse(`serviceUrl ${quote(url)} uses ${parsed.protocol}; only https (or http to loopback) is allowed.`);
  }
  // URL already lowercases the host and turns IDN into punycode, so the
  // comparisons below are exact string matches on a canonical form.
  const host = parsed.hostname;
  if (host.endsWith('.')) {
    return refuse(`serviceUrl host '${host}' ends with a dot; Bot Connector URLs never do, so it is refused rather than guessed at.`);
  }

  if (ctx.serviceUrl) {
    const extra = safeOrigin(ctx.serviceUrl);
    if (extra && parsed.origin === extra && (parsed.protocol === 'https:' || isLoopbackHost(host))) return { ok: true };
  }

  if (!ctx.appId) {
    if (isLoopbackHost(host)) return { ok: true };
    return refuse(`serviceUrl host '${host}' is not loopback; with no appId configured (local mode) messages go only to 127.0.0.1, ::1 or localhost.`);
  }

  const allowed = CONNECTOR_HOSTS[ctx.cloud] ?? [];
  if (!allowed.includes(host)) {
    const other = (Object.keys(CONNECTOR_HOSTS) as CloudName[]).find((c) => CONNECTOR_HOSTS[c].includes(host));
    const hint = other
      ? ` It belongs to the ${other} cloud; set "cloud": "${other}" if that is where this bot lives.`
      : ' Set "serviceUrl" in the config to allow one more Bot Connector base URL.';
    return refuse(`serviceUrl host '${host}' is not a Bot Connector host for the ${ctx.cloud} cloud (${allowed.join(', ')}).${hint}`);
  }
  if (parsed.protocol !== 'https:') {
    return refuse(`serviceUrl ${quote(url)} is not https; the bot token is only sent to Bot Connector hosts over https.`);
  }
  if (parsed.port !== '') {
    return refuse(`serviceUrl ${quote(url)} names port ${parsed.port}; Bot Connector hosts only listen on 443.`);
  }
  return { ok: true };
}

/** 127.0.0.0/8, ::1 and localhost, in the canonical form WHATWG URL produces. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]' || h === '::1') return true;
  // URL normalises 127.1, 0x7f.0.0.1 and friends to dotted decimal.
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!m && Number(m[1]) === 127 && [m[2], m[3], m[4]].every((p) => Number(p) <= 255);
}

function safeOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.username !== '' || u.password !== '') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

function redactUserinfo(u: URL): string {
  const copy = new URL(u.href);
  copy.username = '';
  copy.password = '';
  return `${copy.protocol}//…@${copy.host}${copy.pathname}`;
}

function refuse(detail: string): ServiceUrlCheck {
  return { ok: false, detail };
}

function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return `'${clean.length > 200 ? `${clean.slice(0, 200)}…` : clean}'`;
}
