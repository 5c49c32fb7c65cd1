import type { TeamsCli } from '../drivers/teamsCli';

/**
 * The bot's messaging endpoint is the tunnel's public URL plus the webhook
 * path. When the tunnel URL changes, the endpoint registered with Teams goes
 * stale and Teams posts into the void: this is the check and the fix.
 */
export function messagingEndpoint(tunnelUrl: string, webhookPath: string): string {
  const base = new URL(tunnelUrl);
  return `${base.origin}${webhookPath.startsWith('/') ? webhookPath : `/${webhookPath}`}`;
}

export function sameEndpoint(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const norm = (u: string) => u.trim().replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

export interface EndpointSyncResult {
  changed: boolean;
  previous: string | null;
  endpoint: string;
  /** Teams needs the app reinstalled to pick up the change (the manifest version was bumped). */
  needsReinstall: boolean;
}

/** Updates the Teams app's endpoint only when it differs, so re-running is free and idempotent. */
export async function syncEndpoint(teams: TeamsCli, teamsAppId: string, endpoint: string, signal?: AbortSignal): Promise<EndpointSyncResult> {
  const app = await teams.appGet(teamsAppId, { signal });
  if (sameEndpoint(app.endpoint, endpoint)) return { changed: false, previous: app.endpoint, endpoint, needsReinstall: false };
  const result = await teams.appUpdate(teamsAppId, { endpoint }, { signal });
  return { changed: true, previous: app.endpoint, endpoint, needsReinstall: result.needsReinstall };
}
