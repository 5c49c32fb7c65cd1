import type { TeamsBotConfig } from './configTypes';

/** "accessGroup:<name>" in allowFrom or groupAllowFrom stands for the list accessGroups.<name>. */
export const ACCESS_GROUP = /^accessGroup:(.+)$/;

/** allowFrom with access groups expanded; used to tell whether anyone at all is allowed. */
export function effectiveList(list: readonly string[], config: Pick<TeamsBotConfig, 'accessGroups'>): string[] {
  const out: string[] = [];
  for (const entry of list) {
    const group = ACCESS_GROUP.exec(entry);
    if (group) out.push(...(config.accessGroups[group[1]] ?? []));
    else out.push(entry);
  }
  return out;
}
