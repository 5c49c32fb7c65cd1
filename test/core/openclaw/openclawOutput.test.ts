import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  compareVersions,
  failureReason,
  nodeRefusal,
  parseApproveText,
  parseGatewayCall,
  parseGatewayRequests,
  parsePairingList,
  parseValidate,
  parseVersion,
} from '../../../src/core/openclaw/openclawOutput';
import { resolveOpenClawLocation } from '../../../src/core/openclaw/openclawLocation';

/** The readers on outputs recorded from the real CLI (test/fixtures/openclaw/README.md says which command printed each). */
const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../fixtures/openclaw', name), 'utf8');

describe('OpenClaw CLI output readers', () => {
  it('reads the version line and compares calendar versions numerically', () => {
    assert.equal(parseVersion('OpenClaw 2026.9.6 (eb377ac)\n'), '2026.9.6');
    assert.ok(compareVersions('2026.10.1', '2026.9.6') > 0);
    assert.ok(compareVersions('2026.9.5', '2026.9.6') < 0);
    assert.equal(compareVersions('2026.9.6', '2026.9.6'), 0);
    assert.throws(() => parseVersion('openclaw: command not found'), /no "OpenClaw <version>" line/);
  });

  it('reads pending requests, and refuses a list of another channel', () => {
    assert.deepEqual(parsePairingList(fixture('pairing-list.json'), 'msteams'), [
      {
        senderId: '29a1b2c3-0000-4000-8000-00000000abcd',
        code: 'ABCD2345',
        name: 'Alice Example',
        accountId: 'default',
        createdAt: '2026-11-29T15:44:22.841Z',
        lastSeenAt: '2026-11-29T15:44:22.841Z',
      },
    ]);
    assert.throws(() => parsePairingList(fixture('pairing-list.json').replace('"msteams"', '"teams"'), 'msteams'), /listed channel "teams"/);
    assert.throws(() => parsePairingList('Pairing requests (1)\n┌──', 'msteams'), /no \{"requests": \[\.\.\.\]\} object/);
  });

  it('reads the approval text (no --json exists), including the first-owner rewrite', () => {
    assert.deepEqual(parseApproveText(fixture('approve-first.stdout.txt'), 'msteams'), {
      senderId: '29a1b2c3-0000-4000-8000-00000000abcd',
      ownerBootstrapped: true,
    });
    assert.deepEqual(parseApproveText('Approved msteams sender 7f3e.\nFailed to notify requester: Error: Channel msteams does not support pairing\n', 'msteams'), {
      senderId: '7f3e',
      ownerBootstrapped: false,
    });
    assert.throws(() => parseApproveText('Done.', 'msteams'), /no "Approved msteams sender …" line/);
  });

  it('finds the reason of a failure in prose or in the JSON envelope', () => {
    assert.match(failureReason('', fixture('approve-unknown.stderr.txt'))?.message ?? '', /^No pending pairing request found for code "ZZZZ9999"\./);
    assert.deepEqual(failureReason(fixture('gateway-down.json'), ''), {
      type: 'gateway_transport_error',
      message: 'Gateway not reachable at ws://127.0.0.1:18789 (ECONNREFUSED).',
    });
    assert.equal(failureReason('', 'Segmentation fault'), undefined);
  });

  it('recognises the Node refusal', () => {
    assert.deepEqual(nodeRefusal(fixture('node20.stderr.txt')), {
      nodeVersion: '20.20.2',
      message: 'node:sqlite is unavailable; use 24.16+/26.1+ or a build with the fix.',
    });
    assert.equal(nodeRefusal(fixture('approve-unknown.stderr.txt')), undefined);
  });

  it('reads config validation, a missing file being valid (OpenClaw runs on defaults)', () => {
    const invalid = parseValidate(fixture('validate-invalid.json'));
    assert.equal(invalid.valid, false);
    assert.equal(invalid.exists, true);
    assert.deepEqual(invalid.issues.map((i) => [i.path, i.allowedValues]), [['channels.msteams.dmPolicy', ['pairing', 'allowlist', 'open', 'disabled']]]);
    assert.deepEqual(parseValidate(fixture('validate-missing.json')), { valid: true, path: '/home/op/.openclaw/openclaw.json', exists: false, issues: [] });
    assert.deepEqual(parseValidate('{"valid":true,"path":"/x/openclaw.json","warnings":[]}'), { valid: true, path: '/x/openclaw.json', exists: true, issues: [] });
  });

  it('reads gateway answers: an error envelope, or the request list whose requestId is not the sender id', () => {
    assert.deepEqual(parseGatewayCall(fixture('gateway-down.json')), {
      ok: false,
      type: 'gateway_transport_error',
      message: 'Gateway not reachable at ws://127.0.0.1:18789 (ECONNREFUSED).',
    });
    const answer = parseGatewayCall(fixture('gateway-list.json'));
    assert.ok(answer.ok);
    assert.deepEqual(parseGatewayRequests(answer.result), [
      { requestId: 'JWM63QL4UpNpNnHT9LfTePWK84vs55-x', senderId: 'aaaaaaaa-0002-4000-8000-000000000002', accountId: 'default' },
    ]);
  });
});

describe('OpenClaw state dir discovery', () => {
  const home = '/home/op';
  it('follows OpenClaw: OPENCLAW_STATE_DIR, then OPENCLAW_HOME/.openclaw, then ~/.openclaw', () => {
    assert.deepEqual(resolveOpenClawLocation({ env: {}, homedir: home }), {
      stateDir: '/home/op/.openclaw',
      configPath: '/home/op/.openclaw/openclaw.json',
      storePath: '/home/op/.openclaw/state/openclaw.sqlite',
      source: 'home',
    });
    assert.equal(resolveOpenClawLocation({ env: { OPENCLAW_HOME: '/srv/oc' }, homedir: home }).stateDir, '/srv/oc/.openclaw');
    const both = resolveOpenClawLocation({ env: { OPENCLAW_HOME: '/srv/oc', OPENCLAW_STATE_DIR: '~/state' }, homedir: home });
    assert.deepEqual([both.stateDir, both.source], ['/home/op/state', 'OPENCLAW_STATE_DIR']);
    assert.equal(resolveOpenClawLocation({ env: { OPENCLAW_CONFIG_PATH: '/etc/oc.json5' }, homedir: home }).configPath, '/etc/oc.json5');
  });

  it('the setting overrides all of them, the config path too', () => {
    const loc = resolveOpenClawLocation({ stateDirSetting: '/data/oc', env: { OPENCLAW_STATE_DIR: '/x', OPENCLAW_CONFIG_PATH: '/y.json' }, homedir: home });
    assert.deepEqual(loc, { stateDir: '/data/oc', configPath: '/data/oc/openclaw.json', storePath: '/data/oc/state/openclaw.sqlite', source: 'setting' });
  });
});
