import type { TeamsBotConfig } from './configTypes';

/** "accessGroup:<name>" in allowFrom or groupAllowFrom stands for the list accessGroups.<name>. */
export const ACCESS_GROUP = /^accessGroup:(.+)$/;

/**
 * The members of one access group, or undefined when it is not defined.
 * The name comes from the config text: "accessGroup:constructor" or
 * "accessGroup:__proto__" must not find Object.prototype's members.
 */
export function accessGroupMembers(config: Pick<TeamsBotConfig, 'accessGroups'>, name: string): readonly string[] | undefined {
  return Object.hasOwn(config.accessGroups, name) ? config.accessGroups[name] : undefined;
}

/**
 * allowFrom with access groups expanded; used to tell whether anyone at all is allowed. The same list
 * and groups give the same (read-only) array, so the policy's per-list work (allowlistMatch.ts) is done
 * once per config rather than per request: configs are replaced on reload, never changed in place.
 */
export function effectiveList(list: readonly string[], config: Pick<TeamsBotConfig, 'accessGroups'>): readonly string[] {
  const known = expanded.get(list);
  if (known && known.groups === config.accessGroups) return known.out;
  const out: string[] = [];
  for (const entry of list) {
    const group = ACCESS_GROUP.exec(entry);
    if (group) out.push(...(accessGroupMembers(config, group[1]) ?? []));
    else out.push(entry);
  }
  expanded.set(list, { groups: config.accessGroups, out });
  return out;
}

const expanded = new WeakMap<readonly string[], { groups: TeamsBotConfig['accessGroups']; out: readonly string[] }>();
