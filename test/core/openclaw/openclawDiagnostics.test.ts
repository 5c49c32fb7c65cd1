import { strict as assert } from 'node:assert';
import { parseConfigText } from '../../../src/core/config/configLoader';
import { locateJson5Values } from '../../../src/core/openclaw/json5Locations';
import { openclawConfigDiagnostics } from '../../../src/core/openclaw/openclawDiagnostics';
import { parseValidate } from '../../../src/core/openclaw/openclawOutput';

const TEXT = `// OpenClaw config (JSON5)
{
  gateway: { port: 18789, },
  channels: {
    'msteams': {
      enabled: true,
      dmPolicy: "bogus",   // a typo
      allowFrom: ['aaaaaaaa-0000-4000-8000-000000000001', 42,],
      bogusKey: 0x1F,
    },
  },
}
`;

describe('openclaw.json diagnostics (JSON5)', () => {
  it('locates values by dotted path through comments, unquoted and single-quoted keys, hex and trailing commas', () => {
    const at = locateJson5Values(TEXT);
    const text = (p: string) => {
      const l = at.get(p);
      assert.ok(l, p);
      return TEXT.slice(l.offset, l.offset + l.length);
    };
    assert.equal(text('channels.msteams.dmPolicy'), '"bogus"');
    assert.equal(text('channels.msteams.allowFrom[1]'), '42');
    assert.equal(text('channels.msteams.bogusKey'), '0x1F');
    assert.equal(text('gateway.port'), '18789');
  });

  it('checks the keys shared with teams-bot.config.json with the same validator and the same words', () => {
    const ours = parseConfigText('{\n  "dmPolicy": "bogus",\n  "allowFrom": ["x", 42]\n}').diagnostics;
    const theirs = openclawConfigDiagnostics(TEXT);
    assert.deepEqual(
      theirs.map((d) => [d.path, d.message, d.line, d.column]),
      [
        ['channels.msteams.dmPolicy', ours.find((d) => d.path === 'dmPolicy')!.message, 7, 17],
        ['channels.msteams.allowFrom[1]', ours.find((d) => d.path === 'allowFrom[1]')!.message, 8, 59],
      ],
    );
    assert.equal(theirs[0].message, 'must be one of pairing, allowlist, open, disabled');
  });

  it("places OpenClaw's own issues (an unknown key on its parent), dropping those our checks already report", () => {
    const validation = parseValidate(
      JSON.stringify({
        valid: false,
        path: '/x/openclaw.json',
        issues: [
          { path: 'channels.msteams.dmPolicy', message: 'invalid config: must be equal to one of the allowed values' },
          { path: 'channels.msteams', message: 'invalid config: must not have additional properties: "bogusKey"' },
        ],
      }),
    );
    const d = openclawConfigDiagnostics(TEXT, validation).filter((x) => x.code === 'openclaw');
    assert.deepEqual(
      d.map((x) => [x.path, x.message, x.line, x.column]),
      [['channels.msteams', 'invalid config: must not have additional properties: "bogusKey" (openclaw config validate)', 5, 16]],
    );
  });

  it('a JSON5 syntax error is one diagnostic at its line and column', () => {
    const d = openclawConfigDiagnostics('{\n  channels: {\n    msteams: { dmPolicy: pairing }\n  }\n}\n');
    assert.equal(d.length, 1);
    assert.equal(d[0].code, 'syntax');
    assert.deepEqual([d[0].line, d[0].column], [3, 26]);
    assert.match(d[0].message, /^JSON5 syntax error: invalid character 'p'/);
  });

  it('no channels.msteams: nothing to say', () => {
    assert.deepEqual(openclawConfigDiagnostics('{ gateway: { port: 1 } }'), []);
  });
});
