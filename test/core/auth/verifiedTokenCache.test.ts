/**
 * BotFrameworkAuth remembers a token the SDK validator passed (the signature
 * check is a quarter of the gateway's CPU per request). These tests hold the
 * cache to the SDK's verdict: the same token is not re-verified, but nothing
 * the SDK would refuse is ever served from the cache.
 */
import assert from 'node:assert/strict';
import { BotFrameworkAuth, type AuthOutcome } from '../../../src/core/auth/botFrameworkAuth';
import { resolveCloud } from '../../../src/core/auth/cloud';
import { startBotFrameworkStub, type BotFrameworkStub } from '../../support/botFrameworkStub';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
const activity = { serviceUrl: SERVICE_URL, channelId: 'msteams' };

describe('BotFrameworkAuth: the cache of verified tokens', () => {
  let stub: BotFrameworkStub;
  let auth: BotFrameworkAuth;
  /** How many checks reached the SDK's validator. */
  let sdkChecks: number;
  const realNow = Date.now;

  const newAuth = (appId = APP_ID) => {
    const a = new BotFrameworkAuth({ appId, cloud: resolveCloud({ cloud: 'Public', cloudOverrides: stub.cloudOverrides }) });
    const validator = (a as unknown as { validator: { check: (...args: unknown[]) => Promise<unknown> } }).validator;
    const check = validator.check.bind(validator);
    validator.check = (...args: unknown[]) => {
      sdkChecks++;
      return check(...args);
    };
    return a;
  };
  /** Moves the clock everyone reads (jsonwebtoken, the key caches, ours) by this many seconds. */
  const shiftClock = (seconds: number) => {
    const base = realNow();
    Date.now = () => base + seconds * 1000 + (realNow() - base);
  };

  before(async () => {
    stub = await startBotFrameworkStub({ appId: APP_ID, serviceUrl: SERVICE_URL });
  });
  after(async () => {
    await stub.stop();
  });
  beforeEach(() => {
    sdkChecks = 0;
    auth = newAuth();
  });
  afterEach(() => {
    Date.now = realNow;
  });

  const expectFail = (outcome: AuthOutcome, reason: string, detailPattern?: RegExp) => {
    assert.equal(outcome.ok, false, `expected ${reason}, got ok`);
    if (outcome.ok) return;
    assert.equal(outcome.reason, reason, outcome.detail);
    if (detailPattern) assert.match(outcome.detail, detailPattern);
  };

  it('the same token for the same serviceUrl is verified by the SDK once', async () => {
    const token = await stub.mint();
    for (let i = 0; i < 5; i++) assert.deepEqual(await auth.check(`Bearer ${token}`, activity), { ok: true, appId: APP_ID, serviceUrl: SERVICE_URL });
    assert.equal(sdkChecks, 1);
  });

  it('a cached token fails once it expires (exp, with the same 5 minute tolerance)', async () => {
    // Expired 298 s ago: valid for two more seconds of tolerance.
    const token = await stub.mint({}, { expiresIn: -298, notBefore: -4000 });
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    shiftClock(5);
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-expired', /expired at/);
    assert.equal(sdkChecks, 2);
  });

  it('a cached token fails when the clock goes back before its nbf (with the same tolerance)', async () => {
    // Not valid for another 298 s: accepted within the tolerance.
    const token = await stub.mint({}, { notBefore: 298 });
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    shiftClock(-5);
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-expired', /not valid until/);
  });

  it('the header and payload of a cached token with another signature → auth-bad-signature', async () => {
    const token = await stub.mint({ jti: 'forge-me' });
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    const [h, p] = token.split('.');
    const impostor = (await stub.mint({ jti: 'forge-me' }, { key: 'untrusted' })).split('.')[2];
    expectFail(await auth.check(`Bearer ${h}.${p}.${impostor}`, activity), 'auth-bad-signature');
    // And the genuine one is still served from the cache.
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    assert.equal(sdkChecks, 2);
  });

  it('a token cached for one serviceUrl still fails for another, before and after', async () => {
    const token = await stub.mint();
    const other = { ...activity, serviceUrl: 'https://smba.trafficmanager.net/emea/' };
    expectFail(await auth.check(`Bearer ${token}`, other), 'auth-serviceurl-mismatch');
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    expectFail(await auth.check(`Bearer ${token}`, other), 'auth-serviceurl-mismatch');
    expectFail(await auth.check(`Bearer ${token}`, { channelId: 'msteams' }), 'auth-serviceurl-mismatch');
  });

  it('a token for another audience is refused by an instance for another app, whatever the first instance cached', async () => {
    const token = await stub.mint();
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    const other = newAuth('99999999-2222-3333-4444-555555555555');
    expectFail(await other.check(`Bearer ${token}`, activity), 'auth-wrong-audience');
    expectFail(await other.check(`Bearer ${token}`, activity), 'auth-wrong-audience');
  });

  it('a failed check is not cached: the keys endpoint failing, then answering', async () => {
    const token = await stub.mint({ jti: 'keys-down-first' });
    const fresh = newAuth();
    stub.failKeys(500);
    try {
      expectFail(await fresh.check(`Bearer ${token}`, activity), 'auth-keys-unreachable');
      expectFail(await fresh.check(`Bearer ${token}`, activity), 'auth-keys-unreachable');
    } finally {
      stub.failKeys(0);
    }
    assert.equal((await fresh.check(`Bearer ${token}`, activity)).ok, true);
  });

  it('a refused token is checked again each time, never served from the cache', async () => {
    const token = await stub.mint({}, { key: 'untrusted' });
    for (let i = 0; i < 3; i++) expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-bad-signature');
    assert.equal(sdkChecks, 3);
  });

  it('key endorsements are checked on every request, cached or not', async () => {
    const token = await stub.mint({}, { key: 'webchat' });
    assert.equal((await auth.check(`Bearer ${token}`, { ...activity, channelId: 'webchat' })).ok, true);
    expectFail(await auth.check(`Bearer ${token}`, activity), 'auth-key-not-endorsed');
    assert.equal((await auth.check(`Bearer ${token}`, { ...activity, channelId: 'webchat' })).ok, true);
  });

  it('once the signing key is fetched again (a new key object), the token is verified again', async () => {
    const token = await stub.mint();
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    assert.equal(sdkChecks, 1);
    // Past the parsed key's 10 minutes (and jwks-rsa's): the key is fetched and parsed anew.
    shiftClock(11 * 60);
    assert.equal((await auth.check(`Bearer ${token}`, activity)).ok, true);
    assert.equal(sdkChecks, 2);
  });

  it('concurrent checks of a good token, its forgery and a wrong serviceUrl, before and after caching: each its own verdict', async () => {
    const token = await stub.mint({ jti: 'concurrent' });
    const [h, p] = token.split('.');
    const forged = `${h}.${p}.${(await stub.mint({ jti: 'concurrent' }, { key: 'untrusted' })).split('.')[2]}`;
    const other = { ...activity, serviceUrl: 'https://smba.trafficmanager.net/emea/' };
    for (let round = 0; round < 2; round++) {
      const cases = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 'good' : i % 3 === 1 ? 'forged' : 'elsewhere'));
      const outcomes = await Promise.all(cases.map((c) =>
        c === 'good' ? auth.check(`Bearer ${token}`, activity) : c === 'forged' ? auth.check(`Bearer ${forged}`, activity) : auth.check(`Bearer ${token}`, other)));
      outcomes.forEach((o, i) => {
        if (cases[i] === 'good') assert.equal(o.ok, true, `round ${round} #${i}`);
        else expectFail(o, cases[i] === 'forged' ? 'auth-bad-signature' : 'auth-serviceurl-mismatch');
      });
    }
  });

  it('is bounded: the oldest token goes first', async () => {
    const first = await stub.mint({ jti: 'bounded-0' });
    assert.equal((await auth.check(`Bearer ${first}`, activity)).ok, true);
    const others = await Promise.all(Array.from({ length: 520 }, (_, i) => stub.mint({ jti: `bounded-${i + 1}` })));
    for (const t of others) assert.equal((await auth.check(`Bearer ${t}`, activity)).ok, true);
    const before = sdkChecks;
    assert.equal((await auth.check(`Bearer ${first}`, activity)).ok, true);
    assert.equal(sdkChecks, before + 1, 'the first token was evicted and verified again');
    assert.equal((await auth.check(`Bearer ${others[others.length - 1]}`, activity)).ok, true);
    assert.equal(sdkChecks, before + 1, 'the newest token is still cached');
  });
});
