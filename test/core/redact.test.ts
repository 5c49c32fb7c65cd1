import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { jsonNeedsNoRedaction, redact, redactString, redactText, redactValues, composeRedactors } from '../../src/core/redact';
import { BotFrameworkAuth } from '../../src/core/auth/botFrameworkAuth';
import { resolveCloud } from '../../src/core/auth/cloud';
import { REASONS } from '../../src/core/reasons';

/** A real HS256 JWT, shaped like a Bot Framework token. */
function mintJwt(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'abc123' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', 'not-a-real-secret').update(head).digest('base64url')}`;
}

const JWT = mintJwt({ aud: '00000000-1111-2222-3333-444444444444', iss: 'https://api.botframework.com', serviceurl: 'https://smba.trafficmanager.net/emea/', exp: 1893456000 });
const R = '[redacted]';
/** The shape of a Microsoft Entra client secret (made up). */
const ENTRA = 'Xq48Q~fAkeS3cretV4lue.ForTests_only-abcd';

describe('redact', () => {
  it('replaces credential-named keys at any depth, any case', () => {
    const input = {
      type: 'message',
      headers: { Authorization: `Bearer ${JWT}`, 'x-api-key': 'k-123', Cookie: 'session=abc', accept: 'application/json' },
      value: { token: 'opaque-token-value', tokenExchangeResource: { id: 'x' }, state: 'ok' },
      channelData: { deep: { deeper: [{ client_secret: 's3cr3t', password: 'hunter2', passwd: 'p', assertion: 'a', apiKey: 'ak', refresh_token: 'rt' }] } },
    };
    assert.deepEqual(redact(input), {
      type: 'message',
      headers: { Authorization: R, 'x-api-key': R, Cookie: R, accept: 'application/json' },
      value: { token: R, tokenExchangeResource: R, state: 'ok' },
      channelData: { deep: { deeper: [{ client_secret: R, password: R, passwd: R, assertion: R, apiKey: R, refresh_token: R }] } },
    });
  });

  it('keeps empty credentials visible: an empty Authorization is what explains a 401', () => {
    assert.deepEqual(redact({ authorization: '', token: null }), { authorization: '', token: null });
  });

  it('replaces JWTs and bearer tokens inside any string, leaving the rest', () => {
    const input = {
      text: `here is my token ${JWT} please check`,
      attachments: [{ content: { body: [{ type: 'TextBlock', text: `Authorization: Bearer ${JWT}` }] } }],
      note: 'header was Bearer opaque.token-value, then more',
      plain: 'what is a token? my password is in the vault',
    };
    assert.deepEqual(redact(input), {
      text: `here is my token ${R} please check`,
      attachments: [{ content: { body: [{ type: 'TextBlock', text: `Authorization: Bearer ${R}` }] } }],
      note: `header was Bearer ${R}, then more`,
      plain: 'what is a token? my password is in the vault',
    });
  });

  it('finds a JWT inside a URL and a JWE with empty parts', () => {
    const jwe = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..5L3Q2a3rE0a1.c2VjcmV0LWRhdGE.dGFn';
    assert.equal(redactString(`https://example.com/cb?id_token=${JWT}&x=1`), `https://example.com/cb?id_token=${R}&x=1`);
    assert.equal(redactString(`jwe ${jwe} end`), `jwe ${R} end`);
    assert.equal(redactString('eyJust kidding. Not.a token'), 'eyJust kidding. Not.a token');
  });

  it('redacts header lists: rawHeaders, entry pairs and name/value objects', () => {
    const input = {
      rawHeaders: ['Host', 'localhost:3978', 'Authorization', 'abc', 'X-Api-Key', 'k', 'Content-Type', 'application/json'],
      entries: [['cookie', 'a=b'], ['accept', '*/*']],
      har: [{ name: 'Authorization', value: 'Basic dXNlcjpwYXNz' }, { name: 'Accept', value: 'text/html' }],
    };
    assert.deepEqual(redact(input), {
      rawHeaders: ['Host', 'localhost:3978', 'Authorization', R, 'X-Api-Key', R, 'Content-Type', 'application/json'],
      entries: [['cookie', R], ['accept', '*/*']],
      har: [{ name: 'Authorization', value: R }, { name: 'Accept', value: 'text/html' }],
    });
  });

  it('returns a deep copy and leaves the input untouched', () => {
    const input = { a: { authorization: 'x', list: [1, { b: 2 }] }, when: new Date('2025-01-02T03:04:05.000Z') };
    const out = redact(input) as typeof input;
    assert.notEqual(out, input);
    assert.notEqual(out.a, input.a);
    assert.notEqual(out.a.list, input.a.list);
    assert.equal(input.a.authorization, 'x');
    assert.deepEqual(out, { a: { authorization: R, list: [1, { b: 2 }] }, when: '2025-01-02T03:04:05.000Z' });
  });

  it('survives cycles and hostile nesting without a stack overflow', () => {
    const cyclic: Record<string, unknown> = { name: 'loop', secretKey: 'x' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic];
    assert.deepEqual(redact(cyclic), { name: 'loop', secretKey: R, self: '[circular]', list: ['[circular]'] });

    // The same object twice (not a cycle) is copied both times.
    const shared = { v: 1 };
    assert.deepEqual(redact({ x: shared, y: shared }), { x: { v: 1 }, y: { v: 1 } });

    let deep: Record<string, unknown> = { bottom: true };
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    let out = redact(deep) as Record<string, unknown>;
    let depth = 0;
    while (typeof out.d === 'object') {
      out = out.d as Record<string, unknown>;
      depth++;
    }
    assert.equal(depth, 63);
    assert.equal(out.d, '[truncated: nested too deep]');
  });

  it('drops functions and stringifies bigints like JSON would need', () => {
    assert.deepEqual(redact({ f: () => 1, n: 10n, u: undefined }), { f: undefined, n: '10', u: undefined });
  });

  it('finishes on hostile strings (no catastrophic backtracking)', function () {
    // Hang guard only: a backtracking regex on these 400-900k character inputs takes
    // minutes to hours, so it fails here; the speed itself is not asserted (it is a
    // figure for a quiet machine, not for a shared test runner).
    this.timeout(20_000);
    const hostile = `${'a.'.repeat(200_000)}eyJ${'x'.repeat(200_000)} ${'token'.repeat(50_000)}=`;
    assert.equal(typeof redactString(hostile), 'string');
    assert.equal(typeof redactText(hostile), 'string');
    assert.equal(typeof redactText('eyJ'.repeat(300_000)), 'string');
  });

  it('finishes on quoted values that never close and on Entra-looking runs (hang guard only)', function () {
    this.timeout(20_000);
    assert.equal(typeof redactText('token="'.repeat(60_000)), 'string');
    assert.equal(typeof redactText(`password='${'\\'.repeat(100_000)}`), 'string');
    assert.equal(typeof redactString('aaa1Q~'.repeat(60_000)), 'string');
  });

  it('keeps a "__proto__" field as an own property, and redacts inside it', () => {
    const input = JSON.parse('{"type":"message","__proto__":{"polluted":true,"token":"abc"},"channelData":{"__proto__":"x"}}') as Record<string, unknown>;
    const out = redact(input) as Record<string, unknown>;
    assert.ok(Object.hasOwn(out, '__proto__'), 'the field is kept');
    assert.equal(Object.getPrototypeOf(out), Object.prototype, 'the copy\'s prototype is untouched');
    assert.equal((out as { polluted?: unknown }).polluted, undefined);
    assert.equal(JSON.stringify(out), '{"type":"message","__proto__":{"polluted":true,"token":"[redacted]"},"channelData":{"__proto__":"x"}}');
    assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'nothing leaked into Object.prototype');
  });

  it('redacts Entra client secrets by their shape, and pwd / connectionstring / private_key keys', () => {
    assert.deepEqual(redact({ text: `my secret is ${ENTRA} ok`, settings: { pwd: 'p4ss', ConnectionString: 'Server=x;Password=y', connection_string: 'z', private_key: 'k', privateKey: 'k2' } }), {
      text: `my secret is ${R} ok`,
      settings: { pwd: R, ConnectionString: R, connection_string: R, private_key: R, privateKey: R },
    });
  });
});

describe('jsonNeedsNoRedaction: when the activity log may keep JSON text as it arrived', () => {
  const teamsMessage = {
    type: 'message', id: '1700000000001', text: 'please deploy the staging build', textFormat: 'plain', channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/amer/',
    from: { id: '29:1abc', name: 'Alice', aadObjectId: '00000000-0000-0000-0000-000000000001' }, recipient: { id: '28:bot', name: 'Bot' },
    conversation: { conversationType: 'personal', tenantId: 't', id: 'a:1xyz' }, attachments: [{ contentType: 'text/html', content: '<p>hi</p>' }],
    entities: [{ type: 'clientInfo', locale: 'en-US' }], channelData: { tenant: { id: 't' } },
  };
  const nested = (depth: number) => {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = { v };
    return v;
  };
  const cases: [string, string, boolean][] = [
    ['a plain Teams message', JSON.stringify(teamsMessage), true],
    ['the same, pretty-printed', JSON.stringify(teamsMessage, null, 2), true],
    ['a JWT in the text', JSON.stringify({ ...teamsMessage, text: `here: ${JWT}` }), false],
    ['a JWT spelled with \\u escapes', JSON.stringify({ ...teamsMessage, text: 'x' }).replace('"x"', `"\\u0065${JWT.slice(1)}"`), false],
    ['a credential-named key spelled with \\u escapes', '{"type":"message","pass\\u0077ord":"hunter2"}', false],
    ['a credential-named key', JSON.stringify({ ...teamsMessage, value: { token: 'opaque' } }), false],
    ['a credential word in the text only', JSON.stringify({ ...teamsMessage, text: 'what is my password?' }), false],
    ['an Entra client secret', JSON.stringify({ ...teamsMessage, text: ENTRA }), false],
    ['a bearer token', JSON.stringify({ ...teamsMessage, text: 'Bearer abc.def-123' }), false],
    ['a header list with Authorization', JSON.stringify({ type: 'x', raw: ['Authorization', 'opaque'] }), false],
    ['63 levels of nesting', JSON.stringify(nested(63)), true],
    ['64 levels of nesting (refused: brackets are counted, not depth)', JSON.stringify(nested(64)), false],
    ['65 levels of nesting (redact cuts the deepest)', JSON.stringify(nested(65)), false],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name}: ${expected ? 'kept as it is' : 'redacted'}`, () => {
      assert.equal(jsonNeedsNoRedaction(text), expected);
      // The promise it makes: what it lets through, redact() would have returned unchanged.
      if (expected) assert.deepEqual(redact(JSON.parse(text)), JSON.parse(text));
    });
  }

  it('the cases it refuses include ones redact() does change, escapes and depth among them', () => {
    for (const name of ['a JWT spelled with \\u escapes', 'a credential-named key spelled with \\u escapes', '65 levels of nesting (redact cuts the deepest)', 'a header list with Authorization']) {
      const text = cases.find(([n]) => n === name)![1];
      assert.notDeepEqual(redact(JSON.parse(text)), JSON.parse(text), name);
    }
  });
});

describe('redactText', () => {
  it('hides key=value and key: value credentials in log lines', () => {
    assert.equal(
      redactText('POST https://login.microsoftonline.com/t/oauth2/v2.0/token client_secret=abc~123&grant_type=client_credentials'),
      `POST https://login.microsoftonline.com/t/oauth2/v2.0/token client_secret=${R}&grant_type=client_credentials`,
    );
    // The scheme stays, as in activity strings: a reader sees a bearer token was sent.
    assert.equal(redactText(`Authorization: Bearer ${JWT}`), `Authorization: Bearer ${R}`);
    assert.equal(redactText('Authorization: Bearer abc.def-ghi'), `Authorization: Bearer ${R}`);
    assert.equal(redactText('authorization=Basic dXNlcjpwYXNz'), `authorization=Basic ${R}`);
    assert.equal(redactText('{"password":"hunter2","user":"bob"}'), `{"password":"${R}","user":"bob"}`);
    assert.equal(redactText("api_key='k-1' host=example.com"), `api_key='${R}' host=example.com`);
    assert.equal(redactText(`sent ${JWT} to bot`), `sent ${R} to bot`);
    assert.equal(redactText('sender 29:abc is not in allowFrom'), 'sender 29:abc is not in allowFrom');
  });
});

describe('redactText: every rule of the one redactor', () => {
  it('JSON keys: the whole quoted value, spaces and escaped quotes included; an empty value stays', () => {
    assert.equal(redactText('"clientSecret": "abc\\"def"'), `"clientSecret": "${R}"`);
    assert.equal(redactText('{"password":"two words","user":"bob"}'), `{"password":"${R}","user":"bob"}`);
    assert.equal(redactText(`{'db_pwd': 'a b;c'}`), `{'db_pwd': '${R}'}`);
    assert.equal(redactText('"CLIENT_SECRET": ""'), '"CLIENT_SECRET": ""');
    assert.equal(redactText('    "CLIENT_SECRET": "s3cr3t",'), `    "CLIENT_SECRET": "${R}",`);
  });

  it('env assignments and query strings', () => {
    assert.equal(redactText('APP_PASSWORD=hunter22 TOKEN=zzz'), `APP_PASSWORD=${R} TOKEN=${R}`);
    assert.equal(redactText('CLIENT_SECRET=abc123'), `CLIENT_SECRET=${R}`);
    assert.equal(redactText('AZURE_STORAGE_CONNECTIONSTRING=DefaultEndpointsProtocol=https'), `AZURE_STORAGE_CONNECTIONSTRING=${R}`);
    assert.equal(redactText('MY_PRIVATE_KEY=abc rest'), `MY_PRIVATE_KEY=${R} rest`);
    assert.equal(redactText('pwd=x1'), `pwd=${R}`);
    assert.equal(redactText('https://h/cb?access_token=opaque123&state=ok'), `https://h/cb?access_token=${R}&state=ok`);
  });

  it('Entra client secrets without a telling key, JWTs and bearer tokens anywhere', () => {
    assert.equal(redactText(`got ${ENTRA} here`), `got ${R} here`);
    assert.equal(redactText(`the generated password ${ENTRA} was not saved`), `the generated password ${R} was not saved`);
    assert.equal(redactText('token eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.sig'), `token ${R}`);
    assert.equal(redactText('header was Bearer opaque.token-value, then more'), `header was Bearer ${R}, then more`);
  });

  it('not secrets: booleans, nulls, URLs, ordinary ids', () => {
    for (const text of [
      '"secretSkipped": true, "botId": "abc"',
      '"password": null',
      'token=false',
      'https://mybot-3978.euw.devtunnels.ms',
      'sender 29:abc is not in allowFrom',
      'what is a token? my password is in the vault',
    ]) {
      assert.equal(redactText(text), text);
    }
  });

  it('leaves the gateway\'s own explanations alone: placeholders, scheme names, sentences', () => {
    for (const text of [
      'The request has no Authorization header; the Bot Connector always sends "Authorization: Bearer <JWT>".',
      "curl -X POST 'http://127.0.0.1:3978/api/messages' \\\n  -H 'Authorization: Bearer <a Bot Framework token>'",
      'appId is configured but the request has no "Authorization: Bearer" header (HTTP 401).',
      'Could not get a Bot Connector token: Entra ID refused the secret token request (invalid_client): AADSTS7000215: Invalid client secret provided.',
      'set the password: use Set App Password in the command palette',
      'Authorization: [redacted]',
    ]) {
      assert.equal(redactText(text), text);
    }
  });

  it('a bearer token has a digit or a symbol, or is long; "bearer token" is English', () => {
    assert.equal(redactString('The bearer token is not a well-formed JWT'), 'The bearer token is not a well-formed JWT');
    assert.equal(redactString('Bearer abcdefghijklmnopqrstuvwxyzABCD'), `Bearer ${R}`);
    assert.equal(redactString('Bearer s3cr3t'), `Bearer ${R}`);
    assert.equal(redactString('Bearer <JWT>'), 'Bearer <JWT>');
  });

  it('the real texts: the missing-header detail and every reason survive a log line', async () => {
    const auth = new BotFrameworkAuth({ appId: 'app', cloud: resolveCloud({ cloud: 'Public' }) });
    const outcome = await auth.check(undefined, {});
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.match(outcome.detail, /"Authorization: Bearer <JWT>"/);
    const line = `[msteams] rejected HTTP 401 reason=${outcome.reason}: ${outcome.detail}`;
    assert.equal(redactText(line), line);
    for (const [reason, { text }] of Object.entries(REASONS)) assert.equal(redactText(text), text, reason);
  });

  it('exact values and composition, as the process runner uses them', () => {
    const redactor = composeRedactors(redactText, redactValues(['custom-value-9', 'abc']), undefined);
    assert.equal(redactor('custom-value-9 and TOKEN=zzz and ab'), `${R} and TOKEN=${R} and ab`);
    assert.equal(redactValues(['abc'])('abc'), 'abc', 'values shorter than 4 characters are not redacted (they would hit ordinary words)');
  });
});
