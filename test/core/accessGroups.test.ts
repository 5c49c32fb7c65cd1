import { strict as assert } from 'node:assert';
import { parseConfigText } from '../../src/core/config/configLoader';
import { effectiveList } from '../../src/core/config/accessGroups';

// Issue 8 §2: an access group name is config text, used as a key. Names that
// are Object.prototype members must read as "not defined", never as the
// prototype's functions (which made parsing the config throw a TypeError).
describe('access groups: names are looked up as own properties only', () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    it(`"accessGroup:${name}" with no such group is an unknown-access-group error, not a crash`, () => {
      const loaded = parseConfigText(JSON.stringify({ dmPolicy: 'allowlist', allowFrom: [`accessGroup:${name}`] }));
      assert.equal(loaded.config, undefined, 'an unknown group stops the config');
      const codes = loaded.diagnostics.map((d) => `${d.code} ${d.message}`);
      assert.ok(codes.some((c) => c.startsWith('unknown-access-group') && c.includes(`"${name}"`)), codes.join('\n'));
    });
  }

  it('a group legitimately named "constructor" is expanded to its members', () => {
    const loaded = parseConfigText('{ "dmPolicy": "allowlist", "allowFrom": ["accessGroup:constructor"], "accessGroups": { "constructor": ["aaaaaaaa-0000-0000-0000-00000000a11c"] } }');
    assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
    assert.deepEqual(effectiveList(loaded.config.allowFrom, loaded.config), ['aaaaaaaa-0000-0000-0000-00000000a11c']);
  });

  it('effectiveList drops a reference to an undefined group instead of spreading a prototype member', () => {
    assert.deepEqual(effectiveList(['accessGroup:toString', 'x'], { accessGroups: {} }), ['x']);
  });
});
