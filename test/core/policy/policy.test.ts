import { strict as assert } from 'node:assert';
import { decide, requiresMention, type PairingState } from '../../../src/core/policy/policy';
import { parseConfigText } from '../../../src/core/config/configLoader';
import type { Activity } from '../../../src/core/activity/activity';
import type { TeamsBotConfig } from '../../../src/core/config/configTypes';

const BOT = { id: '28:bot', name: 'Bot' };
const ALICE = { id: '29:alice', name: 'Alice Wilber', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000a11c' };
const TEAM = '19:team@thread.tacv2';
const CHANNEL = '19:chan@thread.tacv2';
const OTHER_CHANNEL = '19:other@thread.tacv2';

function config(overrides: Record<string, unknown>): TeamsBotConfig {
  const loaded = parseConfigText(JSON.stringify(overrides));
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  return loaded.config;
}

function activity(kind: 'personal' | 'groupChat' | 'channel', opts: { mention?: boolean; type?: string; from?: typeof ALICE; channel?: string } = {}): Activity {
  const channel = opts.channel ?? CHANNEL;
  return {
    type: opts.type ?? 'message',
    id: 'm1',
    from: opts.from ?? ALICE,
    recipient: BOT,
    text: 'hello',
    conversation:
      kind === 'personal'
        ? { id: 'a:1', conversationType: 'personal' }
        : kind === 'groupChat'
          ? { id: '19:g@thread.v2', conversationType: 'groupChat', isGroup: true }
          : { id: `${channel};messageid=42`, conversationType: 'channel', isGroup: true },
    entities: opts.mention ? [{ type: 'mention', mentioned: BOT, text: '<at>Bot</at>' }] : [],
    channelData: kind === 'channel' ? { team: { id: TEAM }, channel: { id: channel } } : {},
  };
}

const noPairing: PairingState = { isPending: () => false, pendingCount: 0 };

describe('policy: personal chats', () => {
  const cases: [string, Record<string, unknown>, string, boolean][] = [
    ['pairing, unknown sender', { dmPolicy: 'pairing' }, 'dm-pairing-pending', false],
    ['pairing, allowlisted by aadObjectId', { dmPolicy: 'pairing', allowFrom: [ALICE.aadObjectId] }, 'dm-allowlisted', true],
    // OpenClaw compares the AAD object id when the sender has one: a 29: entry no longer admits Alice (issue 10 §7).
    ['pairing, a Teams id does not admit a sender who has an AAD object id', { dmPolicy: 'pairing', allowFrom: [ALICE.id] }, 'dm-pairing-pending', false],
    ['allowlist, unknown sender', { dmPolicy: 'allowlist', allowFrom: ['bbbbbbbb-0000-0000-0000-000000000000'] }, 'dm-not-allowlisted', false],
    ['allowlist, via access group', { dmPolicy: 'allowlist', allowFrom: ['accessGroup:devs'], accessGroups: { devs: [ALICE.aadObjectId] } }, 'dm-allowlisted', true],
    ['open', { dmPolicy: 'open' }, 'dm-open', true],
    ['disabled, even if allowlisted', { dmPolicy: 'disabled', allowFrom: [ALICE.aadObjectId] }, 'dm-disabled', false],
    ['name does not match without the dangerous flag', { dmPolicy: 'allowlist', allowFrom: ['Alice Wilber'] }, 'dm-not-allowlisted', false],
    ['name matches with dangerouslyAllowNameMatching', { dmPolicy: 'allowlist', allowFrom: ['alice wilber'], dangerouslyAllowNameMatching: true }, 'dm-allowlisted', true],
  ];
  for (const [name, overrides, reason, accept] of cases) {
    it(`${name} → ${reason}`, () => {
      const d = decide(activity('personal'), config(overrides), noPairing);
      assert.equal(d.reason, reason);
      assert.equal(d.accept, accept);
      assert.equal(d.kind, 'personal');
    });
  }

  it('a Teams id still admits a sender who has no AAD object id', () => {
    const bot = { id: '29:no-aad', name: 'Other bot' };
    const d = decide(activity('personal', { from: bot as typeof ALICE }), config({ dmPolicy: 'allowlist', allowFrom: ['29:no-aad'] }), noPairing);
    assert.deepEqual([d.accept, d.reason], [true, 'dm-allowlisted']);
  });

  it('pairing with maxPending reached drops a new sender as dm-pairing-full, but not one already pending', () => {
    const c = config({ dmPolicy: 'pairing', pairing: { maxPending: 2 } });
    assert.equal(decide(activity('personal'), c, { isPending: () => false, pendingCount: 2 }).reason, 'dm-pairing-full');
    assert.equal(decide(activity('personal'), c, { isPending: (id) => id === ALICE.id, pendingCount: 2 }).reason, 'dm-pairing-pending');
  });

  it('an invoke from an unknown sender under pairing does not start a pairing', () => {
    const d = decide(activity('personal', { type: 'invoke' }), config({ dmPolicy: 'pairing' }), noPairing);
    assert.equal(d.reason, 'dm-not-allowlisted');
    assert.match(d.detail, /only a message starts a pairing/);
  });

  it('an invoke from an allowed sender is delivered as invoke', () => {
    const d = decide(activity('personal', { type: 'invoke' }), config({ dmPolicy: 'open' }), noPairing);
    assert.deepEqual([d.accept, d.reason], [true, 'invoke']);
  });
});

describe('policy: group chats and channels (groupPolicy × mention × overrides)', () => {
  const allowAlice = { groupAllowFrom: [ALICE.aadObjectId] };
  const table: [string, 'groupChat' | 'channel', Record<string, unknown>, { mention?: boolean; channel?: string }, string, boolean][] = [
    ['disabled', 'groupChat', { groupPolicy: 'disabled', ...allowAlice }, { mention: true }, 'group-disabled', false],
    ['disabled channel', 'channel', { groupPolicy: 'disabled', groupPolicy2: undefined }, { mention: true }, 'group-disabled', false],
    ['allowlist, not listed', 'groupChat', { groupPolicy: 'allowlist', groupAllowFrom: ['bbbbbbbb-0000-0000-0000-000000000000'] }, { mention: true }, 'group-not-allowlisted', false],
    ['allowlist falls back to allowFrom', 'groupChat', { groupPolicy: 'allowlist', allowFrom: [ALICE.aadObjectId] }, { mention: true }, 'group-allowlisted', true],
    ['allowlist, listed, mentioned', 'groupChat', { groupPolicy: 'allowlist', ...allowAlice }, { mention: true }, 'group-allowlisted', true],
    ['allowlist, listed, not mentioned', 'groupChat', { groupPolicy: 'allowlist', ...allowAlice }, {}, 'mention-required', false],
    ['open, mentioned', 'groupChat', { groupPolicy: 'open' }, { mention: true }, 'group-open', true],
    ['open, not mentioned', 'groupChat', { groupPolicy: 'open' }, {}, 'mention-required', false],
    ['open, not mentioned, requireMention off', 'groupChat', { groupPolicy: 'open', requireMention: false }, {}, 'group-open', true],
    ['channel, open, mentioned', 'channel', { groupPolicy: 'open' }, { mention: true }, 'group-open', true],
    ['channel, open, not mentioned', 'channel', { groupPolicy: 'open' }, {}, 'mention-required', false],
    ['channel, team override off', 'channel', { groupPolicy: 'open', teams: { [TEAM]: { requireMention: false } } }, {}, 'group-open', true],
    ['channel, team off but channel override on', 'channel', { groupPolicy: 'open', teams: { [TEAM]: { requireMention: false, channels: { [CHANNEL]: { requireMention: true } } } } }, {}, 'mention-required', false],
    ['channel, top-level off but channel override on', 'channel', { groupPolicy: 'open', requireMention: false, teams: { [TEAM]: { channels: { [CHANNEL]: { requireMention: true } } } } }, {}, 'mention-required', false],
    // A team that lists channels admits only those (issue 10 §4); "*" admits the rest with the team's settings.
    ['channel, channel override applies only to its channel', 'channel', { groupPolicy: 'open', teams: { [TEAM]: { channels: { [CHANNEL]: { requireMention: false }, '*': {} } } } }, { channel: OTHER_CHANNEL }, 'mention-required', false],
    ['channel, a team that lists channels drops the others', 'channel', { groupPolicy: 'open', teams: { [TEAM]: { channels: { [CHANNEL]: { requireMention: false } } } } }, { channel: OTHER_CHANNEL, mention: true }, 'channel-not-listed', false],
    ['channel, team not listed', 'channel', { groupPolicy: 'open', teams: { '19:another@thread.tacv2': {} } }, { mention: true }, 'team-not-listed', false],
    ['channel, team listed', 'channel', { groupPolicy: 'open', teams: { [TEAM]: {} } }, { mention: true }, 'group-open', true],
    ['channel, not allowlisted beats not mentioned', 'channel', { groupPolicy: 'allowlist', groupAllowFrom: ['bbbbbbbb-0000-0000-0000-000000000000'] }, {}, 'group-not-allowlisted', false],
  ];
  for (const [name, kind, overrides, opts, reason, accept] of table) {
    it(`${kind}: ${name} → ${reason}`, () => {
      delete overrides.groupPolicy2;
      const d = decide(activity(kind, opts), config(overrides), noPairing);
      assert.equal(d.reason, reason, d.detail);
      assert.equal(d.accept, accept);
      assert.equal(d.kind, kind);
    });
  }

  it('reactions and invokes in channels are not mention-gated', () => {
    const c = config({ groupPolicy: 'open' });
    assert.deepEqual([decide(activity('channel', { type: 'messageReaction' }), c, noPairing).accept], [true]);
    assert.equal(decide(activity('channel', { type: 'invoke' }), c, noPairing).reason, 'invoke');
  });

  it('requiresMention resolves channel → team → top level', () => {
    const c = config({ requireMention: true, teams: { [TEAM]: { requireMention: false, channels: { [CHANNEL]: { requireMention: true } } } } });
    assert.equal(requiresMention(activity('channel'), c), true);
    assert.equal(requiresMention(activity('channel', { channel: OTHER_CHANNEL }), c), false);
    assert.equal(requiresMention(activity('groupChat'), c), true);
  });
});

describe('policy: every activity type gets a documented treatment', () => {
  it('lifecycle events are always delivered, even with everything disabled', () => {
    const c = config({ dmPolicy: 'disabled', groupPolicy: 'disabled' });
    for (const type of ['conversationUpdate', 'installationUpdate', 'endOfConversation']) {
      const d = decide(activity('channel', { type }), c, noPairing);
      assert.deepEqual([d.accept, d.reason], [true, 'lifecycle'], type);
    }
  });

  it("the bot's own messages are dropped as self-message", () => {
    const d = decide({ ...activity('personal'), from: BOT }, config({ dmPolicy: 'open' }), noPairing);
    assert.equal(d.reason, 'self-message');
  });

  it('a message without a sender is dropped as no-sender', () => {
    const a = activity('personal');
    delete a.from;
    assert.equal(decide(a, config({ dmPolicy: 'open' }), noPairing).reason, 'no-sender');
  });
});

describe('policy: ids from senders cannot reach Object.prototype', () => {
  for (const teamId of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    it(`a channel message from team "${teamId}" is team-not-listed, not let through`, () => {
      const c = config({ groupPolicy: 'open', teams: { [TEAM]: {} } });
      const a = activity('channel', { mention: true });
      a.channelData = { team: { id: teamId }, channel: { id: CHANNEL } };
      assert.equal(decide(a, c, noPairing).reason, 'team-not-listed');
    });
  }

  it('a channel id "constructor" does not turn requireMention off', () => {
    const c = config({ groupPolicy: 'open', teams: { [TEAM]: { channels: {} } } });
    const a = activity('channel', { channel: 'constructor' });
    assert.equal(requiresMention(a, c), true);
  });
});
