import { strict as assert } from 'node:assert';
import { decide, type PairingState } from '../../../src/core/policy/policy';
import { parseConfigText } from '../../../src/core/config/configLoader';
import type { Activity, ChannelAccount } from '../../../src/core/activity/activity';
import type { Reason } from '../../../src/core/reasons';

/**
 * The same activities through our policy as through OpenClaw's msteams channel
 * (github.com/openclaw/openclaw, extensions/msteams/). Every row names the
 * OpenClaw test (file › test name) or the rule in its source that it mirrors,
 * and the difference of issue 10 it covers (§1 … §7). The expected fate is
 * OpenClaw's: "dispatched" there is accept here, "dropped/skipped" is a drop,
 * with our reason for that kind of drop.
 */

const BOT: ChannelAccount = { id: '28:bot-id', name: 'Bot' };
const STABLE = '40a1a0ed-4ff2-4164-a219-55518990c197';

interface Sample {
  kind: 'personal' | 'groupChat' | 'channel';
  conversationId: string;
  from: ChannelAccount;
  team?: { id?: string; name?: string };
  channel?: { id?: string; name?: string };
  isGroup?: boolean;
  mention?: boolean;
}

interface Row {
  mirrors: string;
  covers: string;
  config: Record<string, unknown>;
  activity: Sample;
  /** Senders whose DM pairing was approved (OpenClaw: the pairing allow store). */
  approved?: string[];
  reason: Reason;
  accept: boolean;
}

const alice: ChannelAccount = { id: 'alice-botframework-id', aadObjectId: 'alice-aad', name: 'Alice' };
const attacker: ChannelAccount = { id: 'attacker-id', aadObjectId: 'attacker-aad', name: 'Attacker' };
const member: ChannelAccount = { id: 'group-member-bot-framework-id', aadObjectId: 'group-member-aad', name: 'Group Member' };
const entraUser: ChannelAccount = { id: 'opaque-account', aadObjectId: STABLE, name: 'Alice' };

const dm = (from: ChannelAccount, extra: Partial<Sample> = {}): Sample => ({ kind: 'personal', conversationId: 'a:personal-chat', from, ...extra });
const group = (conversationId: string, from: ChannelAccount, extra: Partial<Sample> = {}): Sample => ({ kind: 'groupChat', conversationId, from, ...extra });
const channel = (conversationId: string, from: ChannelAccount, extra: Partial<Sample> = {}): Sample => ({ kind: 'channel', conversationId, from, ...extra });

const PARTICIPANT = 'access.participant.test.ts';
const CONV_AUTHZ = 'monitor-handler/message-handler.conversation-authz.test.ts';
const AUTHZ = 'monitor-handler/message-handler.authz.test.ts';
const POLICY = 'policy.test.ts';

const typedEntry = (label: string, entry: string, accept: boolean): Row => ({
  mirrors: `${PARTICIPANT} › applies a typed ${label} entry before message handling`,
  covers: '§2 entry forms',
  config: { dmPolicy: 'allowlist', allowFrom: [entry] },
  activity: dm(entraUser),
  reason: accept ? 'dm-allowlisted' : 'dm-not-allowlisted',
  accept,
});

const allowedConversation = (label: string, allowEntry: string, conversationId: string, kind: 'groupChat' | 'channel'): Row => ({
  mirrors: `${CONV_AUTHZ} › authorizes ${label} by its group conversation allowlist`,
  covers: '§3 conversation ids',
  config: { groupPolicy: 'allowlist', groupAllowFrom: [allowEntry], requireMention: false },
  activity: { kind, conversationId, from: member },
  reason: 'group-allowlisted',
  accept: true,
});

const rejectedConversation = (label: string, activity: Sample, reason: Reason, nameMatching = false): Row => ({
  mirrors: `${CONV_AUTHZ} › does not authorize ${label} by a group conversation allowlist`,
  covers: '§3 conversation ids',
  config: {
    dmPolicy: 'allowlist',
    allowFrom: ['19:group@thread.tacv2'],
    groupPolicy: 'allowlist',
    groupAllowFrom: ['19:group@thread.tacv2'],
    requireMention: false,
    dangerouslyAllowNameMatching: nameMatching,
  },
  activity,
  reason,
  accept: false,
});

const unlisted: ChannelAccount = { id: 'unlisted-member-bot-framework-id', aadObjectId: 'unlisted-member-aad', name: 'Unlisted Member' };
const threadAllowlist = (groupAllowFrom: string[], names = false) => ({
  groupPolicy: 'allowlist',
  groupAllowFrom,
  requireMention: false,
  dangerouslyAllowNameMatching: names,
  teams: { team123: { channels: { '19:channel@thread.tacv2': { requireMention: false } } } },
});
const teamThread = (from: ChannelAccount): Sample =>
  channel('19:channel@thread.tacv2', from, { team: { id: 'team123', name: 'Team 123' }, channel: { name: 'General' } });

const ROWS: Row[] = [
  // §1 "*" is a wildcard
  {
    mirrors: `${PARTICIPANT} › retains %s identity evidence (dmPolicy "open", allowFrom ["*"])`,
    covers: '§1 wildcard',
    config: { dmPolicy: 'open', allowFrom: ['*'] },
    activity: dm(entraUser),
    reason: 'dm-open',
    accept: true,
  },
  {
    mirrors: 'ingress-identity.ts › msteamsIngressIdentity.isWildcardEntry (a "*" allowFrom entry admits any DM sender)',
    covers: '§1 wildcard',
    config: { dmPolicy: 'allowlist', allowFrom: [' * '] },
    activity: dm(attacker),
    reason: 'dm-allowlisted',
    accept: true,
  },
  {
    mirrors: 'ingress-identity.ts › msteamsIngressIdentity.isWildcardEntry (a "*" groupAllowFrom entry admits any group sender)',
    covers: '§1 wildcard',
    config: { groupPolicy: 'allowlist', groupAllowFrom: ['*'], requireMention: false },
    activity: group('19:group@thread.tacv2', attacker),
    reason: 'group-allowlisted',
    accept: true,
  },

  // §2 entry forms
  typedEntry('bare', STABLE, true),
  typedEntry('user-prefixed', `user:${STABLE}`, true),
  typedEntry('provider-prefixed', `teams:${STABLE}`, true),
  typedEntry('provider-and-user-prefixed', `msteams:user:${STABLE}`, true),
  typedEntry('conversation-prefixed', `conversation:${STABLE}`, false),
  typedEntry('provider-and-conversation-prefixed', `msteams:conversation:${STABLE}`, false),
  {
    mirrors: `${PARTICIPANT} › keeps startup projection, audit identity, and inbound admission on one principal (AAD ids compare case-insensitively)`,
    covers: '§2 entry forms',
    config: { dmPolicy: 'allowlist', allowFrom: [STABLE] },
    activity: dm({ ...entraUser, aadObjectId: STABLE.toUpperCase() }),
    reason: 'dm-allowlisted',
    accept: true,
  },
  {
    mirrors: `${PARTICIPANT} › keeps startup projection, audit identity, and inbound admission on one principal (an upper-case entry, spaces and teams:conversation: forms)`,
    covers: '§2 entry forms',
    config: { dmPolicy: 'allowlist', allowFrom: [` teams:conversation:${STABLE.toUpperCase()} `, STABLE.toUpperCase()] },
    activity: dm(entraUser),
    reason: 'dm-allowlisted',
    accept: true,
  },

  // §3 group conversation ids
  allowedConversation('a group chat', '19:group@thread.tacv2', '19:group@thread.tacv2', 'groupChat'),
  allowedConversation('a channel', '19:channel@thread.tacv2', '19:channel@thread.tacv2', 'channel'),
  allowedConversation('a message-suffixed conversation', '19:group@thread.tacv2', '19:group@thread.tacv2;messageid=1740123456789', 'groupChat'),
  allowedConversation('a message-suffixed allowlist entry', '19:group@thread.tacv2;messageid=1740123456789', '19:group@thread.tacv2', 'groupChat'),
  allowedConversation('a legacy Skype thread', '19:legacy@thread.skype', '19:legacy@thread.skype', 'groupChat'),
  allowedConversation('a standard v2 group-chat thread', '19:modern-group@thread.v2', '19:modern-group@thread.v2;messageid=1740123456789', 'groupChat'),
  allowedConversation('an exactly matched mixed-case opaque conversation', '19:MiXeD-group@thread.tacv2', '19:MiXeD-group@thread.tacv2', 'groupChat'),
  {
    mirrors: `${CONV_AUTHZ} › authorizes a group conversation from the documented direct allowlist fallback`,
    covers: '§3 conversation ids, §6 fallback',
    config: { groupPolicy: 'allowlist', allowFrom: ['19:fallback-group@thread.v2'], requireMention: false },
    activity: group('19:fallback-group@thread.v2', { id: 'fallback-member-bot-framework-id', aadObjectId: 'fallback-member-aad', name: 'Fallback Member' }),
    reason: 'group-allowlisted',
    accept: true,
  },
  rejectedConversation('another group conversation', group('19:another-group@thread.tacv2', unlisted), 'group-not-allowlisted'),
  rejectedConversation('a distinct group differing only in opaque ID case', group('19:GROUP@thread.tacv2', unlisted), 'group-not-allowlisted'),
  rejectedConversation('a personal conversation with the allowlisted group ID', dm(unlisted, { conversationId: '19:group@thread.tacv2' }), 'dm-not-allowlisted'),
  rejectedConversation(
    'a sender spoofing the allowlisted conversation as a display name',
    group('19:another-group@thread.tacv2', { ...unlisted, name: '19:group@thread.tacv2' }),
    'group-not-allowlisted',
    true,
  ),

  // §4 the team/channel gate
  {
    mirrors: `${POLICY} › resolveMSTeamsRouteConfig › returns team and channel config when present (the channel's requireMention beats the team's)`,
    covers: '§4 teams',
    config: { groupPolicy: 'open', teams: { team123: { requireMention: false, channels: { chan456: { requireMention: true } } } } },
    activity: channel('chan456', member, { team: { id: 'team123' } }),
    reason: 'mention-required',
    accept: false,
  },
  {
    mirrors: `${POLICY} › resolveMSTeamsRouteConfig › returns team and channel config when present (mentioned: allowed)`,
    covers: '§4 teams',
    config: { groupPolicy: 'open', teams: { team123: { requireMention: false, channels: { chan456: { requireMention: true } } } } },
    activity: channel('chan456', member, { team: { id: 'team123' }, mention: true }),
    reason: 'group-open',
    accept: true,
  },
  {
    mirrors: `${POLICY} › resolveMSTeamsRouteConfig › returns undefined configs when teamId is missing (a group chat, which has no team)`,
    covers: '§4 teams',
    config: { groupPolicy: 'open', requireMention: false, teams: { team123: { requireMention: false } } },
    activity: group('chan', member),
    reason: 'team-not-listed',
    accept: false,
  },
  {
    mirrors: `${POLICY} › resolveMSTeamsRouteConfig › blocks team and channel name matches by default`,
    covers: '§4 teams',
    config: { groupPolicy: 'open', requireMention: false, teams: { 'My Team': { channels: { 'General Chat': {} } } } },
    activity: channel('ignored', member, { team: { id: '19:other-team@thread.tacv2', name: 'My Team' }, channel: { name: 'General Chat' } }),
    reason: 'team-not-listed',
    accept: false,
  },
  {
    mirrors: `${POLICY} › resolveMSTeamsRouteConfig › matches team and channel by name when dangerous name matching is enabled`,
    covers: '§4 teams',
    config: { groupPolicy: 'open', dangerouslyAllowNameMatching: true, teams: { 'My Team': { requireMention: true, channels: { 'General Chat': { requireMention: false } } } } },
    activity: channel('ignored', member, { team: { id: '19:other-team@thread.tacv2', name: 'My Team' }, channel: { name: 'General Chat' } }),
    reason: 'group-open',
    accept: true,
  },
  {
    mirrors: 'channel-config.ts › resolveChannelEntryMatchWithFallback (a key differing only in case matches slug to slug, and keeps its requireMention override)',
    covers: '§4 teams',
    config: { groupPolicy: 'open', teams: { '19:TEAM@thread.tacv2': { channels: { '19:Chan@Thread.Tacv2': { requireMention: false } } } } },
    activity: channel('19:chan@thread.tacv2;messageid=42', member, { team: { id: '19:team@thread.tacv2' } }),
    reason: 'group-open',
    accept: true,
  },
  {
    mirrors: 'channel-config.ts › normalizeChannelSlug (leading "#" removed, runs of other characters become "-"), with name matching on',
    covers: '§4 teams',
    config: { groupPolicy: 'open', requireMention: false, dangerouslyAllowNameMatching: true, teams: { 'ops-team': { channels: { '#Release Notes!': {} } } } },
    activity: channel('19:c@thread.tacv2', member, { team: { id: '19:t@thread.tacv2', name: 'Ops  Team' }, channel: { name: 'release_notes' } }),
    reason: 'group-open',
    accept: true,
  },
  {
    mirrors: 'channel-config.ts › resolveChannelEntryMatchWithFallback (the "*" team key admits a group chat, which has no team)',
    covers: '§4 teams',
    config: { groupPolicy: 'open', teams: { '*': { requireMention: false }, team123: {} } },
    activity: group('19:group@thread.v2', member),
    reason: 'group-open',
    accept: true,
  },
  {
    mirrors: 'channel-config.ts › resolveChannelEntryMatchWithFallback (an exact key wins over "*": its override applies)',
    covers: '§4 teams',
    config: { groupPolicy: 'open', teams: { '*': { requireMention: false }, team123: { requireMention: true } } },
    activity: channel('19:c@thread.tacv2', member, { team: { id: 'team123' } }),
    reason: 'mention-required',
    accept: false,
  },
  {
    mirrors: 'channel-config.ts › resolveNestedAllowlistDecision (a team that lists channels admits only those)',
    covers: '§4 teams',
    config: { groupPolicy: 'open', requireMention: false, teams: { team123: { channels: { '19:listed@thread.tacv2': {} } } } },
    activity: channel('19:other@thread.tacv2', member, { team: { id: 'team123' } }),
    reason: 'channel-not-listed',
    accept: false,
  },
  {
    mirrors: 'monitor-handler/access.ts › admitMSTeamsMessage (the team gate comes before groupPolicy)',
    covers: '§4 teams',
    config: { groupPolicy: 'disabled', teams: { team123: {} } },
    activity: channel('19:c@thread.tacv2', member, { team: { id: 'another-team' }, mention: true }),
    reason: 'team-not-listed',
    accept: false,
  },
  {
    mirrors: `${AUTHZ} › does not widen sender auth when only a teams route allowlist is configured`,
    covers: '§4 teams',
    config: { dmPolicy: 'pairing', allowFrom: [], groupPolicy: 'allowlist', groupAllowFrom: [], teams: { team123: { channels: { '19:group@thread.tacv2': { requireMention: false } } } } },
    activity: group('19:group@thread.tacv2', attacker, { team: { id: 'team123', name: 'Team 123' }, channel: { name: 'General' } }),
    reason: 'group-not-allowlisted',
    accept: false,
  },
  {
    mirrors: `${AUTHZ} › filters non-allowlisted thread messages out of BodyForAgent (the allowlisted sender is dispatched)`,
    covers: '§4 teams',
    config: threadAllowlist(['alice-aad']),
    activity: teamThread(alice),
    reason: 'group-allowlisted',
    accept: true,
  },
  {
    mirrors: `${AUTHZ} › keeps thread messages when allowlist name matching applies without a sender id`,
    covers: '§4 teams',
    config: threadAllowlist(['alice'], true),
    activity: teamThread(alice),
    reason: 'group-allowlisted',
    accept: true,
  },
  {
    mirrors: `${AUTHZ} › marks skipped channel message system events as non-owner (requireMention skips the unmentioned message)`,
    covers: 'mention gating',
    config: { groupPolicy: 'open', requireMention: true },
    activity: channel('19:channel@thread.tacv2', member, { team: { id: 'team123', name: 'Team 123' }, channel: { name: 'General' } }),
    reason: 'mention-required',
    accept: false,
  },
  {
    mirrors: `${AUTHZ} › keeps dispatched primary message system events owner-neutral`,
    covers: 'mention gating',
    config: { groupPolicy: 'open', requireMention: false },
    activity: channel('19:channel@thread.tacv2', member, { team: { id: 'team123', name: 'Team 123' }, channel: { name: 'General' } }),
    reason: 'group-open',
    accept: true,
  },

  // §5 conflicting scope
  {
    mirrors: `${CONV_AUTHZ} › drops a personal message with contradictory team scope before routing`,
    covers: '§5 conflicting scope',
    config: { dmPolicy: 'allowlist', allowFrom: ['sender-aad'] },
    activity: dm({ id: 'sender-id', aadObjectId: 'sender-aad', name: 'Sender' }, { team: { id: 'unexpected-team' } }),
    reason: 'dm-conflicting-scope',
    accept: false,
  },
  {
    mirrors: 'monitor-handler/access.ts › hasConflictingConversationScope (channelData.channel on a personal chat)',
    covers: '§5 conflicting scope',
    config: { dmPolicy: 'open' },
    activity: dm(alice, { channel: { id: '19:channel@thread.tacv2' } }),
    reason: 'dm-conflicting-scope',
    accept: false,
  },
  {
    mirrors: 'monitor-handler/access.ts › hasConflictingConversationScope (conversationType "personal" with isGroup true)',
    covers: '§5 conflicting scope',
    config: { dmPolicy: 'open' },
    activity: dm(alice, { isGroup: true }),
    reason: 'dm-conflicting-scope',
    accept: false,
  },

  // §6 approvals are for DMs only; an empty groupAllowFrom falls back to allowFrom
  {
    mirrors: `${AUTHZ} › does not treat DM pairing-store entries as group allowlist entries`,
    covers: '§6 approvals',
    config: { dmPolicy: 'pairing', allowFrom: [], groupPolicy: 'allowlist', groupAllowFrom: [] },
    activity: group('19:group@thread.tacv2', attacker, { mention: true }),
    approved: ['attacker-aad'],
    reason: 'group-not-allowlisted',
    accept: false,
  },
  {
    mirrors: `${CONV_AUTHZ} › (createDeps: the pairing store holds "attacker-aad") an approved sender is admitted to a DM under dmPolicy "pairing"`,
    covers: '§6 approvals',
    config: { dmPolicy: 'pairing', allowFrom: [] },
    activity: dm(attacker),
    approved: ['attacker-aad'],
    reason: 'dm-allowlisted',
    accept: true,
  },
  {
    mirrors: 'src/channels/allow-from.ts › mergeDmAllowFromSources (dmPolicy "allowlist" ignores the pairing store)',
    covers: '§6 approvals',
    config: { dmPolicy: 'allowlist', allowFrom: ['trusted-aad'] },
    activity: dm(attacker),
    approved: ['attacker-aad'],
    reason: 'dm-not-allowlisted',
    accept: false,
  },
  {
    mirrors: 'src/channels/allow-from.ts › resolveGroupAllowFromSources (an empty groupAllowFrom falls back to allowFrom)',
    covers: '§6 fallback',
    config: { allowFrom: ['alice-aad'], groupPolicy: 'allowlist', groupAllowFrom: [], requireMention: false },
    activity: group('19:group@thread.tacv2', alice),
    reason: 'group-allowlisted',
    accept: true,
  },
  {
    mirrors: 'src/channels/allow-from.ts › resolveGroupAllowFromSources (a non-empty groupAllowFrom replaces allowFrom)',
    covers: '§6 fallback',
    config: { allowFrom: ['alice-aad'], groupPolicy: 'allowlist', groupAllowFrom: ['someone-else-aad'], requireMention: false },
    activity: group('19:group@thread.tacv2', alice),
    reason: 'group-not-allowlisted',
    accept: false,
  },
  {
    mirrors: `${AUTHZ} › logs an info drop reason when group policy has an empty allowlist`,
    covers: '§6 fallback',
    config: { dmPolicy: 'pairing', allowFrom: [], groupPolicy: 'allowlist', groupAllowFrom: [] },
    activity: group('19:group@thread.tacv2', attacker, { mention: true }),
    reason: 'group-not-allowlisted',
    accept: false,
  },

  // §7 29: ids against senders with an AAD object id
  {
    mirrors: 'monitor-handler/access.ts › senderId = from.aadObjectId ?? from.id (a 29: entry does not admit a sender who has an AAD object id)',
    covers: '§7 29: ids',
    config: { dmPolicy: 'allowlist', allowFrom: ['29:alice'] },
    activity: dm({ id: '29:alice', aadObjectId: 'alice-aad', name: 'Alice' }),
    reason: 'dm-not-allowlisted',
    accept: false,
  },
  {
    mirrors: 'monitor-handler/access.ts › senderId = from.aadObjectId ?? from.id (a sender without one is matched by from.id)',
    covers: '§7 29: ids',
    config: { dmPolicy: 'allowlist', allowFrom: ['29:alice'] },
    activity: dm({ id: '29:alice', name: 'Alice' }),
    reason: 'dm-allowlisted',
    accept: true,
  },
  {
    mirrors: 'monitor-handler/access.ts › senderId = from.aadObjectId ?? from.id (the same in a group chat)',
    covers: '§7 29: ids',
    config: { groupPolicy: 'allowlist', groupAllowFrom: ['29:alice'], requireMention: false },
    activity: group('19:group@thread.tacv2', { id: '29:alice', aadObjectId: 'alice-aad', name: 'Alice' }),
    reason: 'group-not-allowlisted',
    accept: false,
  },

  // The DM paths around them
  {
    mirrors: `${AUTHZ} › logs an info drop reason when dmPolicy allowlist rejects a sender`,
    covers: 'dmPolicy',
    config: { dmPolicy: 'allowlist', allowFrom: ['trusted-aad'] },
    activity: dm(attacker),
    reason: 'dm-not-allowlisted',
    accept: false,
  },
  {
    mirrors: `${AUTHZ} › keeps the DM pairing path wired through shared access resolution`,
    covers: 'dmPolicy',
    config: { dmPolicy: 'pairing', allowFrom: [] },
    activity: dm({ id: 'new-user-id', aadObjectId: 'new-user-aad', name: 'New User' }),
    reason: 'dm-pairing-pending',
    accept: false,
  },
  {
    mirrors: `${AUTHZ} › authorizes text control commands from static access groups (accessGroup: entries in groupAllowFrom)`,
    covers: 'access groups',
    config: { accessGroups: { operators: ['attacker-aad'] }, groupPolicy: 'allowlist', groupAllowFrom: ['accessGroup:operators'], requireMention: false },
    activity: group('19:group@thread.tacv2', attacker),
    reason: 'group-allowlisted',
    accept: true,
  },
];

function toActivity(s: Sample): Activity {
  const channelData: Record<string, unknown> = {};
  if (s.team) channelData.team = s.team;
  if (s.channel) channelData.channel = s.channel;
  return {
    type: 'message',
    id: 'msg-1',
    text: 'hello',
    from: s.from,
    recipient: BOT,
    conversation: { id: s.conversationId, conversationType: s.kind, ...(s.isGroup !== undefined ? { isGroup: s.isGroup } : {}) },
    entities: s.mention ? [{ type: 'mention', mentioned: BOT, text: '<at>Bot</at>' }] : [],
    channelData,
  };
}

function pairingWith(approved: string[] = []): PairingState {
  return {
    isPending: () => false,
    pendingCount: 0,
    isApproved: (from) => approved.includes((from.aadObjectId ?? from.id).toLowerCase()),
  };
}

describe('policy: decides as OpenClaw msteams does (issue 10)', () => {
  for (const row of ROWS) {
    it(`${row.covers}: ${row.mirrors} → ${row.reason}`, () => {
      const loaded = parseConfigText(JSON.stringify(row.config));
      assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
      const d = decide(toActivity(row.activity), loaded.config, pairingWith(row.approved));
      assert.equal(d.reason, row.reason, d.detail);
      assert.equal(d.accept, row.accept, d.detail);
    });
  }

  it('every difference of issue 10 has rows', () => {
    for (const section of ['§1', '§2', '§3', '§4', '§5', '§6', '§7']) {
      assert.ok(ROWS.filter((r) => r.covers.includes(section)).length >= 2, `${section} needs rows`);
    }
  });
});
