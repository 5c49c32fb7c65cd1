/**
 * The typed shape of teams-bot.config.json after validation and defaults.
 * schema/teams-bot.config.schema.json is the single source of truth for
 * what a file may contain; this type mirrors it for the code.
 */
export type DmPolicy = 'pairing' | 'allowlist' | 'open' | 'disabled';
export type GroupPolicy = 'allowlist' | 'open' | 'disabled';
export type ReplyStyle = 'thread' | 'top-level';
export type CloudName = 'Public' | 'USGov' | 'USGovDoD' | 'China';
export type AuthType = 'secret' | 'federated';

export interface ChannelOverride {
  requireMention?: boolean;
  replyStyle?: ReplyStyle;
}

export interface TeamOverride extends ChannelOverride {
  channels?: Record<string, ChannelOverride>;
}

export interface CloudOverrides {
  loginEndpoint?: string;
  loginTenant?: string;
  botScope?: string;
  openIdMetadataUrl?: string;
  tokenIssuer?: string;
}

export interface TeamsBotConfig {
  appId?: string;
  tenantId?: string;
  authType: AuthType;
  certificatePath?: string;
  certificateThumbprint?: string;
  useManagedIdentity: boolean;
  managedIdentityClientId?: string;
  cloud: CloudName;
  /** Advanced: endpoints that replace the named cloud's (sovereign or test clouds). */
  cloudOverrides?: CloudOverrides;
  /** An extra Bot Connector base URL the gateway may send to, besides the cloud's own hosts. */
  serviceUrl?: string;
  webhook: {
    port: number;
    path: string;
    host: string;
    maxBodyBytes: number;
  };
  dmPolicy: DmPolicy;
  /** Entry forms and matching: policy/allowlistMatch.ts (OpenClaw's). */
  allowFrom: string[];
  groupPolicy: GroupPolicy;
  /** Unset or empty: allowFrom is the group list (as in OpenClaw). */
  groupAllowFrom?: string[];
  requireMention: boolean;
  replyStyle: ReplyStyle;
  /** Keyed by team id, "*" for any; matching and the gate: policy/teamRoute.ts. */
  teams: Record<string, TeamOverride>;
  accessGroups: Record<string, string[]>;
  dangerouslyAllowNameMatching: boolean;
  pairing: {
    autoReply: boolean;
    notifyOnApprove: boolean;
    codeTtlMinutes: number;
    maxPending: number;
  };
  bot: {
    url?: string;
    echo: boolean;
    timeoutMs: number;
  };
  teamsAppId?: string;
  tunnel?: {
    id?: string;
    port?: number;
    keepRunning?: boolean;
  };
}

/** Secrets never live in the file: they come from the environment (CLI) or Secret Storage (extension). */
export interface TeamsBotSecrets {
  appPassword?: string;
}
