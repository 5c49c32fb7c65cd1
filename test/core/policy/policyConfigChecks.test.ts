import { strict as assert } from 'node:assert';
import { parseConfigText } from '../../../src/core/config/configLoader';

const GUID = '40a1a0ed-4ff2-4164-a219-55518990c197';

/** code@path for every diagnostic of a config. */
function diagnostics(config: Record<string, unknown>): string[] {
  return parseConfigText(JSON.stringify(config)).diagnostics.map((d) => `${d.code}@${d.path}`);
}

// The config checks say what each allowFrom / teams entry will do under the OpenClaw rules (issue 10).
describe('config checks: the entry forms OpenClaw accepts', () => {
  it('dmPolicy "open" without "*" in allowFrom is a warning (OpenClaw refuses it); with "*" it is not', () => {
    assert.ok(diagnostics({ dmPolicy: 'open' }).includes('open-without-wildcard@dmPolicy'));
    assert.ok(!diagnostics({ dmPolicy: 'open', allowFrom: ['*'] }).some((d) => d.startsWith('open-without-wildcard')));
  });

  it('"*", prefixed AAD ids and conversation ids in groupAllowFrom draw no warning', () => {
    const entries = ['*', GUID, `user:${GUID}`, `teams:${GUID}`, `msteams:user:${GUID}`, GUID.toUpperCase()];
    assert.deepEqual(diagnostics({ dmPolicy: 'allowlist', allowFrom: entries }), []);
    assert.deepEqual(diagnostics({ groupPolicy: 'allowlist', groupAllowFrom: ['19:group@thread.tacv2', '19:g@thread.v2;messageid=1'] }), []);
  });

  it('a conversation: entry is a warning: it never admits anyone', () => {
    assert.deepEqual(diagnostics({ dmPolicy: 'allowlist', allowFrom: [GUID, `conversation:${GUID}`, `msteams:conversation:${GUID}`] }), [
      'conversation-entry@allowFrom[1]',
      'conversation-entry@allowFrom[2]',
    ]);
  });

  it('a conversation id in allowFrom is a warning once groupAllowFrom has entries of its own', () => {
    assert.deepEqual(diagnostics({ allowFrom: ['19:group@thread.tacv2'] }), []);
    assert.deepEqual(diagnostics({ allowFrom: ['19:group@thread.tacv2'], groupAllowFrom: [] }), []);
    assert.deepEqual(diagnostics({ allowFrom: ['19:group@thread.tacv2'], groupAllowFrom: [GUID] }), ['conversation-not-used@allowFrom[0]']);
  });

  it('a 29: Teams user id is a warning: a sender with an AAD object id is compared by that', () => {
    assert.deepEqual(diagnostics({ dmPolicy: 'allowlist', allowFrom: ['29:alice'] }), ['teams-user-id@allowFrom[0]']);
  });

  it('an empty groupAllowFrom falls back to allowFrom, so it is not an empty group allowlist', () => {
    assert.ok(!diagnostics({ allowFrom: [GUID], groupPolicy: 'allowlist', groupAllowFrom: [] }).some((d) => d.startsWith('group-allowlist-empty')));
    assert.ok(diagnostics({ groupPolicy: 'allowlist', groupAllowFrom: [] }).some((d) => d.startsWith('group-allowlist-empty')));
  });

  it('"*" team and channel keys draw no warning; other names do unless name matching is on', () => {
    assert.deepEqual(diagnostics({ teams: { '*': { channels: { '*': {} } } } }), []);
    assert.deepEqual(diagnostics({ teams: { 'My Team': { channels: { General: {} } } } }), ['not-a-team-id@teams["My Team"]', 'not-a-channel-id@teams["My Team"].channels.General']);
    assert.deepEqual(diagnostics({ dangerouslyAllowNameMatching: true, teams: { 'My Team': { channels: { General: {} } } } }), []);
  });
});
