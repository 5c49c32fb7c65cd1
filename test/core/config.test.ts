import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfigText, loadConfigFile, requireValidConfig, ConfigInvalidError, defaultConfig } from '../../src/core/config/configLoader';
import { formatDiagnostic } from '../../src/core/config/configDiagnostic';
import { addToAllowFrom, editConfigFile, starterConfigText } from '../../src/core/config/configWriter';

const messages = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, { env }).diagnostics.map(formatDiagnostic);

describe('config: validation with line and column', () => {
  it('names the path, what is allowed and where', () => {
    const text = '{\n  // who may DM\n  "appId": "abc",\n  "dmPolicy": "pairng"\n}';
    assert.deepEqual(messages(text), ['dmPolicy: must be one of pairing, allowlist, open, disabled (line 4, col 15)']);
  });

  it('reports every error at once, in file order', () => {
    const text = '{\n  "webhook": { "port": 99999, "pth": "/x" },\n  "requireMention": "yes"\n}';
    assert.deepEqual(messages(text), [
      'webhook.port: must be <= 65535 (line 2, col 24)',
      'webhook.pth: unknown key "pth": did you mean "path"? Allowed here: port, path, host, maxBodyBytes (line 2, col 31)',
      'requireMention: must be a boolean (line 3, col 21)',
    ]);
  });

  it('locates errors inside per-team and per-channel overrides', () => {
    const text = '{"teams": {"19:t@thread.tacv2": {"channels": {"19:c@thread.tacv2": {"replyStyle": "sideways"}}}}}';
    assert.deepEqual(messages(text), ['teams["19:t@thread.tacv2"].channels["19:c@thread.tacv2"].replyStyle: must be one of thread, top-level (line 1, col 83)']);
  });

  it('reports JSON syntax errors with their position', () => {
    const [first] = messages('{\n  "appId": "x"\n  "dmPolicy": "open"\n}');
    assert.match(first, /^JSON syntax error: comma expected .* \(line 3, col 3\)$/);
  });

  it('accepts comments and trailing commas', () => {
    const loaded = parseConfigText('{\n // c\n "dmPolicy": "open", /* x */\n}');
    assert.equal(loaded.config?.dmPolicy, 'open');
  });

  it('fills defaults from the schema', () => {
    const c = defaultConfig();
    assert.deepEqual(
      [c.webhook.port, c.webhook.path, c.webhook.maxBodyBytes, c.dmPolicy, c.groupPolicy, c.requireMention, c.pairing.codeTtlMinutes, c.pairing.autoReply, c.cloud, c.bot.echo],
      [3978, '/api/messages', 1048576, 'pairing', 'allowlist', true, 60, true, 'Public', false],
    );
    assert.equal(c.groupAllowFrom, undefined, 'groupAllowFrom has no default so it can fall back to allowFrom');
  });

  it('requireValidConfig throws one message listing every error', () => {
    const loaded = parseConfigText('{"dmPolicy": 3, "groupPolicy": "x"}', { file: '/w/teams-bot.config.json' });
    assert.throws(() => requireValidConfig(loaded), (err: unknown) => {
      assert.ok(err instanceof ConfigInvalidError);
      assert.match(err.message, /^\/w\/teams-bot.config.json is invalid \(2 errors\):\n {2}dmPolicy: must be a string \(line 1, col 14\)\n {2}groupPolicy: must be one of allowlist, open, disabled/);
      return true;
    });
  });
});

describe('config: semantic checks', () => {
  it('allowlist with an empty allowFrom is an error that says nobody can DM the bot', () => {
    const loaded = parseConfigText('{\n  "dmPolicy": "allowlist"\n}');
    assert.equal(loaded.config, undefined);
    assert.deepEqual(loaded.diagnostics.map((d) => [d.code, d.severity, d.line]), [['allowlist-empty', 'error', 2]]);
    assert.match(loaded.diagnostics[0].message, /nobody can message the bot in a personal chat/);
  });

  it('an app password in the file is a warning that says how to move it, and is never part of the config', () => {
    const loaded = parseConfigText('{"appPassword": "s3cr3t-value"}');
    assert.ok(loaded.config);
    assert.equal((loaded.config as unknown as Record<string, unknown>).appPassword, undefined);
    const d = loaded.diagnostics.find((x) => x.code === 'secret-in-file');
    assert.ok(d);
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /Set App Password.*MSTEAMS_APP_PASSWORD/);
    assert.ok(!JSON.stringify(loaded.diagnostics).includes('s3cr3t-value'), 'the secret is not echoed in diagnostics');
  });

  it('an app password in the file is flagged even when the schema fails elsewhere (the editor always offers to move it)', () => {
    const loaded = parseConfigText('{\n  "dmPolicy": "sometimes",\n  "appPassword": "s3cr3t-value"\n}');
    assert.equal(loaded.config, undefined);
    assert.deepEqual(loaded.diagnostics.map((d) => [d.code, d.line]), [['schema:enum', 2], ['secret-in-file', 3]]);
  });

  it('a misspelt key carries the key it most likely means, for a quick fix; a key like no other carries none', () => {
    const loaded = parseConfigText('{ "dmPolcy": "open", "webhook": { "prot": 3978 }, "zzzzzz": 1 }');
    const byPath = Object.fromEntries(loaded.diagnostics.map((d) => [d.path, d.suggestion]));
    assert.deepEqual(byPath, { dmPolcy: 'dmPolicy', 'webhook.prot': 'port', zzzzzz: undefined });
  });

  it('flags unknown access groups, non-id entries, echo+url, federated without identity', () => {
    const loaded = parseConfigText(JSON.stringify({
      allowFrom: ['accessGroup:ghosts', 'bob@contoso.com'],
      bot: { url: 'http://127.0.0.1:3979/api/messages', echo: true },
      authType: 'federated',
    }));
    assert.deepEqual(loaded.diagnostics.map((d) => d.code).sort(), ['bot-url-and-echo', 'federated-needs-identity', 'not-an-id', 'unknown-access-group']);
  });
});

describe('config: environment overrides', () => {
  it('MSTEAMS_* variables win over the file, and the password only lands in secrets', () => {
    const loaded = parseConfigText('{"appId": "from-file", "tenantId": "t-file"}', {
      env: { MSTEAMS_APP_ID: 'from-env', MSTEAMS_APP_PASSWORD: 'pw', MSTEAMS_USE_MANAGED_IDENTITY: 'true', MSTEAMS_MANAGED_IDENTITY_CLIENT_ID: 'mi', MSTEAMS_CERTIFICATE_PATH: '/c.pem', MSTEAMS_CERTIFICATE_THUMBPRINT: 'a'.repeat(40), MSTEAMS_AUTH_TYPE: 'secret', MSTEAMS_TENANT_ID: 't-env' },
    });
    const c = loaded.config!;
    assert.deepEqual([c.appId, c.tenantId, c.useManagedIdentity, c.managedIdentityClientId, c.certificatePath, c.certificateThumbprint, c.authType], ['from-env', 't-env', true, 'mi', '/c.pem', 'a'.repeat(40), 'secret']);
    assert.deepEqual(loaded.secrets, { appPassword: 'pw' });
    assert.ok(!JSON.stringify(c).includes('"pw"'));
  });

  it('an invalid env value is reported with the variable name instead of a line', () => {
    assert.deepEqual(messages('{}', { MSTEAMS_USE_MANAGED_IDENTITY: 'maybe' }), ['useManagedIdentity: must be a boolean (from MSTEAMS_USE_MANAGED_IDENTITY)']);
  });
});

describe('config: writes keep comments and are safe together', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-config-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('adds to allowFrom without touching comments or layout', async () => {
    const file = path.join(dir, 'teams-bot.config.json');
    await fs.writeFile(file, '{\n    // keep me\n    "dmPolicy": "pairing", // and me\n    "allowFrom": [\n        "aaaaaaaa-0000-0000-0000-000000000001" // first\n    ]\n}\n');
    assert.equal(await addToAllowFrom(file, 'aaaaaaaa-0000-0000-0000-000000000002'), true);
    assert.equal(await addToAllowFrom(file, 'aaaaaaaa-0000-0000-0000-000000000002'), false, 'a second add is a no-op');
    const text = await fs.readFile(file, 'utf8');
    assert.match(text, /\/\/ keep me/);
    assert.match(text, /"dmPolicy": "pairing", \/\/ and me/);
    assert.match(text, /"aaaaaaaa-0000-0000-0000-000000000001" \/\/ first/);
    const loaded = await loadConfigFile(file, {});
    assert.deepEqual([...loaded.config!.allowFrom].sort(), ['aaaaaaaa-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000002']);
  });

  it('creates the file from the commented starter when there is none', async () => {
    const file = path.join(dir, 'teams-bot.config.json');
    await addToAllowFrom(file, '29:alice');
    const text = await fs.readFile(file, 'utf8');
    assert.ok(text.startsWith(starterConfigText().slice(0, 40)));
    assert.match(text, /"allowFrom": \[\s*"29:alice"\s*\]/);
    assert.match(text, /\/\/ Approved senders/);
    assert.deepEqual((await loadConfigFile(file, {})).config?.allowFrom, ['29:alice']);
  });

  it('the starter file is valid and in local mode with the echo bot', () => {
    const loaded = parseConfigText(starterConfigText());
    assert.deepEqual(loaded.diagnostics, []);
    assert.equal(loaded.config?.appId, undefined);
    assert.equal(loaded.config?.bot.echo, true);
  });

  it('20 concurrent approvals all land', async () => {
    const file = path.join(dir, 'teams-bot.config.json');
    await fs.writeFile(file, '{ /* c */ "allowFrom": [] }');
    const ids = Array.from({ length: 20 }, (_, i) => `29:user-${i}`);
    await Promise.all(ids.map((id) => addToAllowFrom(file, id)));
    const loaded = await loadConfigFile(file, {});
    assert.deepEqual([...loaded.config!.allowFrom].sort(), [...ids].sort());
    assert.match(await fs.readFile(file, 'utf8'), /\/\* c \*\//);
  });

  it('editConfigFile sets nested values and removes keys', async () => {
    const file = path.join(dir, 'teams-bot.config.json');
    await fs.writeFile(file, '{\n  // app\n  "appId": "old"\n}\n');
    await editConfigFile(file, [{ path: ['appId'], value: 'new' }, { path: ['tunnel', 'id'], value: 'my-bot' }, { path: ['tenantId'], value: undefined }]);
    const text = await fs.readFile(file, 'utf8');
    assert.match(text, /\/\/ app/);
    const c = (await loadConfigFile(file, {})).config!;
    assert.deepEqual([c.appId, c.tunnel?.id], ['new', 'my-bot']);
  });

  it('a missing file means defaults (exists: false), not an error', async () => {
    const loaded = await loadConfigFile(path.join(dir, 'nope.json'), {});
    assert.equal(loaded.exists, false);
    assert.equal(loaded.config?.dmPolicy, 'pairing');
  });
});
