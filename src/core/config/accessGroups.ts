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

/** allowFrom with access groups expanded; used to tell whether anyone at all is allowed. */
export function effectiveList(list: readonly string[], config: Pick<TeamsBotConfig, 'accessGroups'>): string[] {
  const out: string[] = [];
  for (const entry of list) {
    const group = ACCESS_GROUP.exec(entry);
    if (group) out.push(...(accessGroupMembers(config, group[1]) ?? []));
    else out.push(entry);
  }
  return out;
}
