import type { ConfigDiagnostic } from './configDiagnostic';
import type { TeamsBotConfig } from './configTypes';
import type { PathSegment } from './configPath';
import { ACCESS_GROUP, accessGroupMembers, effectiveList } from './accessGroups';

/** Where a path is in the file; the loader supplies it so checks stay pure. */
export type Locate = (segments: PathSegment[], severity: ConfigDiagnostic['severity'], code: string, message: string) => ConfigDiagnostic;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEAMS_USER_ID = /^(29|8):/;

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

  const groupList = config.groupAllowFrom ?? config.allowFrom;
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
      const group = ACCESS_GROUP.exec(entry);
      if (group) {
        if (!accessGroupMembers(config, group[1])) {
          out.push(
            locate([listKey, index], 'error', 'unknown-access-group',
              `refers to access group "${group[1]}", which is not defined under accessGroups: add "accessGroups": { "${group[1]}": [ … ] } or remove the entry`),
          );
        }
      } else if (!GUID.test(entry) && !TEAMS_USER_ID.test(entry) && !config.dangerouslyAllowNameMatching) {
        out.push(
          locate([listKey, index], 'warning', 'not-an-id',
            `"${entry}" is neither an AAD object id (a GUID) nor a Teams user id (29:…), so it matches nobody: use the sender's AAD object id (the Activities view shows it), or set dangerouslyAllowNameMatching to match names`),
        );
      }
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

  for (const [teamId, team] of Object.entries(config.teams)) {
    if (!/^19:/.test(teamId)) {
      out.push(
        locate(['teams', teamId], 'warning', 'not-a-team-id',
          `"${teamId}" does not look like a Teams team id (19:…@thread.tacv2 or @thread.skype): copy it from a dropped activity's channelData.team.id`),
      );
    }
    for (const channelId of Object.keys(team.channels ?? {})) {
      if (!/^19:/.test(channelId)) {
        out.push(
          locate(['teams', teamId, 'channels', channelId], 'warning', 'not-a-channel-id',
            `"${channelId}" does not look like a channel conversation id (19:…@thread.tacv2)`),
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
