import assert from 'node:assert/strict';
import { BotFrameworkAuth, type AuthOutcome } from '../../../src/core/auth/botFrameworkAuth';
import { resolveCloud } from '../../../src/core/auth/cloud';
import { MemoryLogger } from '../../../src/core/logger';
import { startBotFrameworkStub, type BotFrameworkStub } from '../../support/botFrameworkStub';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
const activity = { serviceUrl: SERVICE_URL, channelId: 'msteams' };

describe('BotFrameworkAuth against a local Bot Framework stub', () => {
  let stub: BotFrameworkStub;
  let logger: MemoryLogger;
  let auth: BotFrameworkAuth;

  const newAuth = (s = stub) =>
    new BotFrameworkAuth({ appId: APP_ID, cloud: resolveCloud({ cloud: 'Public', cloudOverrides: s.cloudOverrides }), logger });

  before(async () => {
    stub = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: SERVICE_URL });
  });
  after(async () => {
    await stub.stop();
  });
  beforeEach(() => {
    logger = new MemoryLogger();
    auth = newAuth();
  });

  const expectFail = (outcome: AuthOutcome, reason: string, detailPattern?: RegExp) => {
    assert.equal(outcome.ok, false, `expected ${reason}, got ok`);
    if (outcome.ok) return;
    assert.equal(outcome.reason, reason, outcome.detail);
    if (detailPattern) assert.match(outcome.detail, detailPattern);
  };

  it('accepts a good token and reports the appId and serviceUrl', async () => {
    const token = await stub.mint();
    const outcome = await auth.check(`Bearer ${token}`, activity);
    assert.deepEqual(outcome, { ok: true, appId: APP_ID, serviceUrl: SERVICE_URL });
  });

  it('accepts the api:// audience forms the SDK allows', async () => {
    const token = await stub.mint({ aud: `api://${APP_ID}` });
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
  });

  it('missing or empty header → auth-missing-header', async () => {
    expectFail(await auth.check(undefined, activity), 'auth-missing-header');
    expectFail(await auth.check('  ', activity), 'auth-missing-header');
  });

  it('garbage headers → auth-malformed-token before any key fetch', async () => {
    const before = stub.hits.get('/v1/.well-known/keys') ?? 0;
    expectFail(await auth.check('Bearer not-a-jwt', activity), 'auth-malformed-token');
    expectFail(await auth.check('Basic dXNlcjpwYXNz', activity), 'auth-malformed-token', /Bearer/);
    expectFail(await auth.check('Bearer a.b.c', activity), 'auth-malformed-token', /header/);
    expectFail(await auth.check(`Bearer ${'a'.repeat(20000)}.b.c`, activity), 'auth-malformed-token');
    const good = await stub.mint();
    expectFail(await auth.check(`Bearer ${good}.extra`, activity), 'auth-malformed-token');
    assert.equal(stub.hits.get('/v1/.well-known/keys') ?? 0, before);
  });

  it('impostor key with the trusted kid → auth-bad-signature', async () => {
    const token = await stub.mint({}, { key: 'untrusted' });
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-bad-signature', /stub-key-1/);
  });

  it('a tampered payload → auth-bad-signature', async () => {
    const [h, , s] = (await stub.mint()).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: SERVICE_URL, exp: 9999999999 })).toString('base64url');
    expectFail(await auth.check(`Bearer ${h}.${forged}.${s}`, activity), 'auth-bad-signature');
  });

  it('unknown kid → auth-unknown-key', async () => {
    const token = await stub.mint({}, { kid: 'rotated-away' });
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-unknown-key', /'rotated-away'/);
  });

  it('wrong audience → auth-wrong-audience naming both ids', async () => {
    const token = await stub.mint({ aud: 'other-app' });
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-wrong-audience', new RegExp(`'other-app'.*'${APP_ID}'`));
  });

  it('wrong issuer → auth-wrong-issuer', async () => {
    const token = await stub.mint({ iss: 'https://sts.windows.net/evil/' });
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-wrong-issuer', /sts\.windows\.net/);
  });

  it('expired beyond the 5 minute tolerance → auth-expired; within it → ok', async () => {
    const old = await stub.mint({}, { expiresIn: -400, notBefore: -4000 });
    expectFail(await auth.check(`Bearer ${old}`, activity), 'auth-expired', /expired at/);
    const skewed = await stub.mint({}, { expiresIn: -200, notBefore: -4000 });
    assert.equal((await auth.check(`Bearer ${skewed}`, activity)).ok, true);
  });

  it('not valid yet beyond tolerance → auth-expired', async () => {
    const future = await stub.mint({}, { notBefore: 900 });
    expectFail(await auth.check(`Bearer ${future}`, activity), 'auth-expired', /not valid until/);
  });

  it('serviceurl claim differs from the activity → auth-serviceurl-mismatch', async () => {
    const token = await stub.mint({ serviceurl: 'https://smba.trafficmanager.net/emea/' });
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-serviceurl-mismatch', /emea.*amer/);
  });

  it('missing serviceurl claim → auth-serviceurl-mismatch', async () => {
    const token = await stub.mint({}, { omit: ['serviceurl'] });
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-serviceurl-mismatch', /no serviceurl claim/);
  });

  it('activity without serviceUrl → auth-serviceurl-mismatch', async () => {
    const token = await stub.mint();
    expectFail(await auth.check(`Bearer ${token}`, {}), 'auth-serviceurl-mismatch', /no serviceUrl/);
  });

  it('token without exp → auth-invalid', async () => {
    const token = await stub.mint({}, { omit: ['exp'] });
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-invalid', /no exp/);
  });

  it('token without kid → auth-unknown-key', async () => {
    const good = await stub.mint();
    const [, p, s] = good.split('.');
    const h = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
    expectFail(await auth.check(`Bearer ${h}.${p}.${s}`, activity), 'auth-unknown-key', /no kid/);
  });

  it('HS256 token (algorithm confusion) → auth-bad-signature', async () => {
    const good = await stub.mint();
    const [, p, s] = good.split('.');
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: stub.trustedKid })).toString('base64url');
    expectFail(await auth.check(`Bearer ${h}.${p}.${s}`, activity), 'auth-bad-signature', /RS256/);
  });

  it('keys endpoint answering 500 → auth-keys-unreachable', async () => {
    stub.failKeys(500);
    try {
      const token = await stub.mint();
      expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-keys-unreachable', /could not be fetched/);
    } finally {
      stub.failKeys(0);
    }
  });

  it('keys server down → auth-keys-unreachable', async () => {
    const down = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: SERVICE_URL });
    const downAuth = newAuth(down);
    const token = await down.mint();
    await down.stop();
    expectFail(await downAuth.check(`Bearer ${token}`, activity), 'auth-keys-unreachable', /ECONNREFUSED/);
  });

  it('never puts the token in a detail or a log line', async () => {
    const tokens = [
      await stub.mint({ aud: 'other-app' }),
      await stub.mint({}, { key: 'untrusted' }),
      await stub.mint({}, { kid: 'nope' }),
      await stub.mint({}, { expiresIn: -1000 }),
    ];
    for (const token of tokens) {
      const outcome = await auth.check(`Bearer ${token}`, activity);
      assert.equal(outcome.ok, false);
      const sig = token.split('.')[2];
      if (!outcome.ok) assert.ok(!outcome.detail.includes(sig));
      assert.ok(!logger.text().includes(sig));
    }
  });

  describe('key endorsements (the Bot Connector spec; botbuilder-js endorsementsValidator)', () => {
    it('a key endorsed only for webchat cannot sign an msteams activity → auth-key-not-endorsed', async () => {
      const token = await stub.mint({}, { key: 'webchat' });
      expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-key-not-endorsed', /'stub-key-webchat'.*'webchat', 'directline'.*'msteams'/);
    });

    it('the same webchat key is accepted for a webchat activity', async () => {
      const token = await stub.mint({}, { key: 'webchat' });
      assert.equal((await auth.check(`Bearer ${token}`, { ...activity, channelId: 'webchat' })).ok, true);
      assert.equal((await auth.check(`Bearer ${token}`, { ...activity, channelId: 'directline' })).ok, true);
    });

    it('an activity whose channelId is not among the key\'s endorsements fails, whatever it claims', async () => {
      const token = await stub.mint();
      for (const channelId of ['webchat', 'MSTEAMS', 'msteams ', 'slack', 'emulator']) {
        expectFail(await auth.check(`Bearer ${token}`, { ...activity, channelId }), 'auth-key-not-endorsed', new RegExp(`'msteams'.*'${channelId.trim()}`));
      }
    });

    it('an endorsed key and an activity without a usable channelId → auth-key-not-endorsed (stricter than botbuilder-js)', async () => {
      const token = await stub.mint();
      for (const channelId of [undefined, '', '  ', 42, ['msteams'], null]) {
        expectFail(await auth.check(`Bearer ${token}`, { serviceUrl: SERVICE_URL, channelId }), 'auth-key-not-endorsed', /no channelId/);
      }
    });

    it('keys without endorsements (no field, or an empty list) restrict nothing, as in botbuilder-js', async () => {
      for (const key of ['unendorsed', 'empty-endorsements'] as const) {
        const token = await stub.mint({}, { key });
        assert.deepEqual(await auth.check(`Bearer ${token}`, activity), { ok: true, appId: APP_ID, serviceUrl: SERVICE_URL }, key);
        assert.equal((await auth.check(`Bearer ${token}`, { ...activity, channelId: 'webchat' })).ok, true, key);
        assert.equal((await auth.check(`Bearer ${token}`, { serviceUrl: SERVICE_URL })).ok, true, key);
      }
    });

    it('the signature is checked first: an impostor signing with the webchat kid is auth-bad-signature', async () => {
      const token = await stub.mint({}, { key: 'untrusted', kid: stub.kids.webchat });
      expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-bad-signature');
    });

    it('endorsements come from the key set the validator fetched: no fetch of their own, none per check', async () => {
      const fresh = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: SERVICE_URL });
      try {
        const a = newAuth(fresh);
        const tokens = await Promise.all([fresh.mint(), fresh.mint({}, { key: 'webchat' }), fresh.mint({}, { key: 'unendorsed' })]);
        const outcomes = await Promise.all(tokens.map((t) => a.check(`Bearer ${t}`, activity)));
        assert.deepEqual(outcomes.map((o) => (o.ok ? 'ok' : o.reason)), ['ok', 'auth-key-not-endorsed', 'ok']);
        // jwks-rsa fetches the key set once per new kid; the endorsements ride on those fetches.
        const fetched = fresh.hits.get('/v1/.well-known/keys') ?? 0;
        assert.ok(fetched >= 1 && fetched <= tokens.length, `fetched ${fetched} times`);
        for (let i = 0; i < 5; i++) {
          const again = await Promise.all(tokens.map((t) => a.check(`Bearer ${t}`, activity)));
          assert.deepEqual(again.map((o) => (o.ok ? 'ok' : o.reason)), ['ok', 'auth-key-not-endorsed', 'ok']);
        }
        assert.equal(fresh.hits.get('/v1/.well-known/keys'), fetched);
      } finally {
        await fresh.stop();
      }
    });
  });

  it('50 concurrent mixed validations each get their own outcome', async () => {
    const shared = newAuth();
    const kinds = ['good', 'audience', 'signature', 'expired', 'serviceurl', 'issuer', 'unknown-kid'] as const;
    const expected: Record<(typeof kinds)[number], string> = {
      good: 'ok',
      audience: 'auth-wrong-audience',
      signature: 'auth-bad-signature',
      expired: 'auth-expired',
      serviceurl: 'auth-serviceurl-mismatch',
      issuer: 'auth-wrong-issuer',
      'unknown-kid': 'auth-unknown-key',
    };
    const cases = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const kind = kinds[i % kinds.length];
        const token =
          kind === 'good' ? await stub.mint({ n: i })
          : kind === 'audience' ? await stub.mint({ aud: `other-${i}` })
          : kind === 'signature' ? await stub.mint({ n: i }, { key: 'untrusted' })
          : kind === 'expired' ? await stub.mint({ n: i }, { expiresIn: -1000, notBefore: -5000 })
          : kind === 'serviceurl' ? await stub.mint({ serviceurl: `https://smba.trafficmanager.net/r${i}/` })
          : kind === 'issuer' ? await stub.mint({ iss: `https://issuer-${i}.example` })
          : await stub.mint({ n: i }, { kid: `gone-${i}` });
        return { kind, i, token };
      }),
    );
    const outcomes = await Promise.all(cases.map((c) => shared.check(`Bearer ${c.token}`, activity)));
    outcomes.forEach((outcome, idx) => {
      const { kind, i } = cases[idx];
      const got = outcome.ok ? 'ok' : outcome.reason;
      assert.equal(got, expected[kind], `case ${idx} (${kind}): ${outcome.ok ? '' : outcome.detail}`);
      // The detail names this call's own claim values, not a neighbour's.
      if (!outcome.ok && kind === 'audience') assert.match(outcome.detail, new RegExp(`'other-${i}'`));
      if (!outcome.ok && kind === 'issuer') assert.match(outcome.detail, new RegExp(`issuer-${i}\\.`));
      if (!outcome.ok && kind === 'unknown-kid') assert.match(outcome.detail, new RegExp(`'gone-${i}'`));
      if (!outcome.ok && kind === 'serviceurl') assert.match(outcome.detail, new RegExp(`/r${i}/`));
    });
  });

  it('fetches the JWKS once for many validations', async () => {
    const fresh = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: SERVICE_URL });
    try {
      const a = newAuth(fresh);
      const tokens = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 4 === 0 ? fresh.mint({ aud: 'x' }) : i % 4 === 1 ? fresh.mint({}, { key: 'untrusted' }) : fresh.mint({ n: i }),
        ),
      );
      // A burst first (concurrent callers share one pending fetch), then a
      // sequential run that must be served from the cache.
      await Promise.all(tokens.map((t) => a.check(`Bearer ${t}`, activity)));
      for (const t of tokens) await a.check(`Bearer ${t}`, activity);
      assert.equal(fresh.hits.get('/v1/.well-known/keys'), 1);
    } finally {
      await fresh.stop();
    }
  });

  it('a hanging keys endpoint → auth-keys-unreachable within the time limit', async () => {
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const hang = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const port = (hang.address() as import('node:net').AddressInfo).port;
    try {
      const a = new BotFrameworkAuth({
        appId: APP_ID,
        cloud: resolveCloud({ cloud: 'Public', cloudOverrides: { openIdMetadataUrl: `http://127.0.0.1:${port}/v1/.well-known/openidconfiguration`, tokenIssuer: 'https://api.botframework.com' } }),
        timeoutMs: 300,
      });
      // The key host never answers, so only the 300 ms timeout can end this (the test's timeout is the hang guard).
      expectFail(await a.check(`Bearer ${await stub.mint()}`, activity), 'auth-keys-unreachable', /did not arrive/);
    } finally {
      sockets.forEach((s) => s.destroy());
      hang.close();
    }
  });
});
