import type { ConfigDiagnostic } from './configDiagnostic';
import type { TeamsBotConfig } from './configTypes';
import type { PathSegment } from './configPath';
import { ACCESS_GROUP, accessGroupMembers, effectiveList } from './accessGroups';
import { isWildcardEntry, looksLikeConversationId, senderIdKey } from './allowlistEntry';

/** Where a path is in the file; the loader supplies it so checks stay pure. */
export type Locate = (segments: PathSegment[], severity: ConfigDiagnostic['severity'], code: string, message: string) => ConfigDiagnostic;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEAMS_USER_ID = /^(29|8):/;
/** OpenClaw's stable user id shape (resolve-allowlist.ts isStableMSTeamsUserId): hex digits and dashes. */
const STABLE_USER_ID = /^[0-9a-f-]{16,}$/i;

/**
 * What the schema cannot say: combinations that make the bot unreachable,
 * secrets in the file, and references that point nowhere.
 */
export function semanticChecks(config: TeamsBotConfig, raw: Record<string, unknown>, locate: Locate): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];

  out.push(...secretChecks(raw, locate));

  if (config.dmPolicy === 'allowlist' && effectiveList(config.allowFrom, config).length === 0) {
    out.push(
      locate(['dmPolicy'], 'error', 'allowlist-empty',
        'is "allowlist" but allowFrom is empty, so nobody can message the bot in a personal chat: add AAD object ids to allowFrom, or use "pairing" to approve senders as they write'),
    );
  }

  // OpenClaw's dmPolicy "open" admits DMs through "*" in allowFrom, and its schema refuses "open" without it.
  // We still admit everyone under "open", so the same file means the same here: say so, and how to port it.
  if (config.dmPolicy === 'open' && !config.allowFrom.some(isWildcardEntry)) {
    out.push(
      locate(['dmPolicy'], 'warning', 'open-without-wildcard',
        'is "open" but allowFrom does not include "*": anyone may message the bot in a personal chat here, but OpenClaw refuses this config (it requires allowFrom to include "*" for "open"): add "*" to allowFrom to say so'),
    );
  }

  // An empty groupAllowFrom falls back to allowFrom, as an unset one does (OpenClaw's resolveGroupAllowFromSources).
  const ownGroupList = config.groupAllowFrom !== undefined && config.groupAllowFrom.length > 0;
  const groupList = ownGroupList ? config.groupAllowFrom! : config.allowFrom;
  // Only when chosen explicitly: the default (allowlist, nobody) is a safe start, not a mistake.
  const groupsChosen = 'groupPolicy' in raw || 'groupAllowFrom' in raw;
  if (groupsChosen && config.groupPolicy === 'allowlist' && effectiveList(groupList, config).length === 0) {
    out.push(
      locate([config.groupAllowFrom ? 'groupAllowFrom' : 'groupPolicy'], 'warning', 'group-allowlist-empty',
        'groupPolicy is "allowlist" but groupAllowFrom (and allowFrom) is empty, so every group chat and channel message will be dropped with group-not-allowlisted: add senders, or set groupPolicy to "open" or "disabled" to say what you mean'),
    );
  }

  for (const listKey of ['allowFrom', 'groupAllowFrom'] as const) {
    const list = config[listKey];
    if (!list) continue;
    list.forEach((entry, index) => {
      const problem = entryProblem(entry, listKey, config, ownGroupList);
      if (problem) out.push(locate([listKey, index], problem.severity, problem.code, problem.message));
    });
  }

  if (config.bot.url && config.bot.echo) {
    out.push(
      locate(['bot', 'echo'], 'error', 'bot-url-and-echo',
        'bot.echo and bot.url are both set: choose one (echo answers by itself; url forwards to your bot)'),
    );
  }

  if (config.authType === 'federated' && !config.useManagedIdentity) {
    out.push(
      locate(['authType'], 'error', 'federated-needs-identity',
        'is "federated" but useManagedIdentity is false: a federated credential exchanges a managed identity token, so set useManagedIdentity to true (and managedIdentityClientId for a user-assigned identity)'),
    );
  }

  if (config.certificateThumbprint && !config.certificatePath) {
    out.push(
      locate(['certificateThumbprint'], 'warning', 'thumbprint-without-certificate',
        'is set but certificatePath is not: the thumbprint only pins a certificate loaded from certificatePath'),
    );
  }

  // "*" is the wildcard key; names match only with dangerouslyAllowNameMatching (as in OpenClaw).
  const byName = config.dangerouslyAllowNameMatching ? '' : ', and names match only with dangerouslyAllowNameMatching';
  for (const [teamId, team] of Object.entries(config.teams)) {
    if (teamId !== '*' && !/^19:/.test(teamId) && !(config.dangerouslyAllowNameMatching && teamId.trim())) {
      out.push(
        locate(['teams', teamId], 'warning', 'not-a-team-id',
          `"${teamId}" does not look like a Teams team id (19:…@thread.tacv2 or @thread.skype)${byName}: copy the id from a dropped activity's channelData.team.id, or use "*" for every team and group chat`),
      );
    }
    for (const channelId of Object.keys(team.channels ?? {})) {
      if (channelId !== '*' && !/^19:/.test(channelId) && !(config.dangerouslyAllowNameMatching && channelId.trim())) {
        out.push(
          locate(['teams', teamId, 'channels', channelId], 'warning', 'not-a-channel-id',
            `"${channelId}" does not look like a channel conversation id (19:…@thread.tacv2)${byName}: once a team lists channels, only those are let through (channel-not-listed)`),
        );
      }
    }
  }

  return out;
}

/**
 * A password in the file, whatever else is wrong with it: the loader runs
 * this even when the schema fails, so the editor always offers to move it.
 */
export function secretChecks(raw: Record<string, unknown>, locate: Locate): ConfigDiagnostic[] {
  if (!Object.prototype.hasOwnProperty.call(raw, 'appPassword')) return [];
  return [
    locate(['appPassword'], 'warning', 'secret-in-file',
      'the app password must not be stored in this file, where it can be committed or shared: remove it and run "Teams Bot: Set App Password" (VS Code Secret Storage), or set MSTEAMS_APP_PASSWORD for the CLI'),
  ];
}

type EntryProblem = { severity: ConfigDiagnostic['severity']; code: string; message: string };

/** What an allowFrom / groupAllowFrom entry will (not) match, in the forms OpenClaw accepts (policy/allowlistMatch.ts). */
function entryProblem(entry: string, listKey: 'allowFrom' | 'groupAllowFrom', config: TeamsBotConfig, ownGroupList: boolean): EntryProblem | undefined {
  const group = ACCESS_GROUP.exec(entry);
  if (group) {
    return accessGroupMembers(config, group[1])
      ? undefined
      : { severity: 'error', code: 'unknown-access-group', message: `refers to access group "${group[1]}", which is not defined under accessGroups: add "accessGroups": { "${group[1]}": [ … ] } or remove the entry` };
  }
  if (isWildcardEntry(entry)) return undefined;
  const senderId = senderIdKey(entry);
  if (senderId === undefined) {
    return { severity: 'warning', code: 'conversation-entry', message: `"${entry}" is a conversation: entry, which never admits anyone (as in OpenClaw): to let a whole group chat or channel in, list its bare id (19:…@thread.tacv2) in groupAllowFrom` };
  }
  if (looksLikeConversationId(entry)) {
    if (listKey === 'allowFrom' && ownGroupList) {
      return { severity: 'warning', code: 'conversation-not-used', message: `"${entry}" is a conversation id, which admits a group chat or channel, never a personal chat; allowFrom is used for groups only while groupAllowFrom is empty: move it to groupAllowFrom` };
    }
    return undefined;
  }
  if (GUID.test(senderId) || STABLE_USER_ID.test(senderId)) return undefined;
  if (TEAMS_USER_ID.test(senderId)) {
    return { severity: 'warning', code: 'teams-user-id', message: `"${entry}" is a Teams user id, which matches only a sender without an AAD object id: every Teams user has one, and it is compared instead (as in OpenClaw). Use the sender's AAD object id (the Activities view shows it)` };
  }
  if (config.dangerouslyAllowNameMatching) return undefined;
  return { severity: 'warning', code: 'not-an-id', message: `"${entry}" is neither an AAD object id (a GUID), a Teams user id (29:…) nor a conversation id (19:…@thread.tacv2), so it matches nobody: use the sender's AAD object id (the Activities view shows it), or set dangerouslyAllowNameMatching to match names` };
}
