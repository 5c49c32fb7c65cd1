import type { Activity } from '../activity/activity';
import type { ChannelOverride, TeamOverride, TeamsBotConfig } from '../config/configTypes';
import { baseConversationId } from '../config/allowlistEntry';

/**
 * Which `teams` entry, and which of its `channels`, a group chat or channel
 * message belongs to, and whether that lets it through. OpenClaw's msteams
 * rules (extensions/msteams/src/policy.ts resolveMSTeamsRouteConfig, with the
 * channel-config key matching it uses):
 *
 * - a team is found by channelData.team.id; a channel by the conversation id
 *   (";messageid=…" removed). With dangerouslyAllowNameMatching, the team and
 *   channel names (and their slugs) are tried too;
 * - a key matches exactly first, then slug to slug (lowercase, leading "#"
 *   removed, runs of anything but a-z0-9 turned into "-"), then the "*" key;
 * - once `teams` lists anything, a message matching no team is not let
 *   through: a group chat has no team, so only a "*" team admits it; and a
 *   team that lists `channels` lets through only those channels.
 *
 * Keys come from the config and ids from the sender: only own properties are
 * looked at, so "constructor" or "__proto__" find nothing.
 */
export interface TeamRoute {
  /** `teams` lists at least one key: the gate is on. */
  configured: boolean;
  team?: TeamOverride;
  teamKey?: string;
  /** The matched team lists `channels`: only those are let through. */
  channelsListed: boolean;
  channel?: ChannelOverride;
  channelKey?: string;
  allowed: boolean;
}

export function resolveTeamRoute(activity: Activity, config: Pick<TeamsBotConfig, 'teams' | 'dangerouslyAllowNameMatching'>): TeamRoute {
  const names = config.dangerouslyAllowNameMatching;
  const teamName = activity.channelData?.team?.name;
  const channelName = activity.channelData?.channel?.name;
  const conversationId = activity.conversation?.id === undefined ? undefined : baseConversationId(activity.conversation.id);

  const configured = Object.keys(config.teams).length > 0;
  const team = matchKey(config.teams, [activity.channelData?.team?.id, names ? teamName : undefined, names && teamName ? slug(teamName) : undefined]);
  const channels = team?.entry.channels ?? {};
  const channelsListed = Object.keys(channels).length > 0;
  const channel = team
    ? matchKey(channels, [conversationId, names ? channelName : undefined, names && channelName ? slug(channelName) : undefined])
    : undefined;

  const allowed = !configured || (team !== undefined && (!channelsListed || channel !== undefined));
  return { configured, team: team?.entry, teamKey: team?.key, channelsListed, channel: channel?.entry, channelKey: channel?.key, allowed };
}

/** Channel override, then team override, then the top-level setting; the same matching as the gate. */
export function routeRequiresMention(route: TeamRoute, config: Pick<TeamsBotConfig, 'requireMention'>): boolean {
  return route.channel?.requireMention ?? route.team?.requireMention ?? config.requireMention;
}

/** "General Chat" → "general-chat", "#Ops" → "ops", "19:AbC@thread.tacv2" → "19-abc-thread-tacv2". */
export function slug(value: string): string {
  return value.trim().toLowerCase().replace(/^#/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function matchKey<T>(entries: Record<string, T>, candidates: (string | undefined)[]): { key: string; entry: T } | undefined {
  const keys = [...new Set(candidates.map((c) => c?.trim()).filter((c): c is string => !!c))];
  for (const key of keys) {
    if (Object.hasOwn(entries, key)) return { key, entry: entries[key] };
  }
  const slugs = keys.map(slug).filter(Boolean);
  if (slugs.length > 0) {
    for (const [key, entry] of Object.entries(entries)) {
      const keySlug = slug(key);
      if (keySlug && slugs.includes(keySlug)) return { key, entry };
    }
  }
  return Object.hasOwn(entries, '*') ? { key: '*', entry: entries['*'] } : undefined;
}
