import assert from 'node:assert/strict';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { resolveCloud } from '../../../src/core/auth/cloud';
import { BotTokenProvider } from '../../../src/core/credentials/botTokenProvider';
import { ConnectorClient } from '../../../src/core/connector/connectorClient';
import { MemoryLogger } from '../../../src/core/logger';
import { startFakeConnector, type FakeConnector } from '../../support/fakeConnector';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const cloud = resolveCloud({ cloud: 'Public' });

/** Counts requests and hands out numbered tokens, like Entra would. */
class CountingCredential implements TokenCredential {
  calls = 0;
  scopes: string[] = [];
  constructor(private readonly behaviour: 'ok' | 'fail' = 'ok', private readonly lifetimeMs = 3600_000) {}
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.calls++;
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    await new Promise((r) => setTimeout(r, 20));
    if (this.behaviour === 'fail') {
      const err = new Error('ClientSecretCredential authentication failed') as Error & { errorResponse: unknown };
      err.name = 'AuthenticationError';
      err.errorResponse = {
        error: 'invalid_client',
        errorDescription: 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent is s3cr3t-value.\r\nTrace ID: abc\r\nCorrelation ID: def',
      };
      throw err;
    }
    return { token: `injected-token-${this.calls}`, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}

describe('ConnectorClient against a fake Bot Connector', () => {
  let fake: FakeConnector;
  let logger: MemoryLogger;

  beforeEach(async () => {
    fake = await startFakeConnector();
    logger = new MemoryLogger();
  });
  afterEach(async () => {
    await fake.stop();
  });

  const localClient = (timeoutMs?: number) =>
    new ConnectorClient({
      hosts: { cloud: 'Public' },
      tokens: new BotTokenProvider({ config: { authType: 'secret', useManagedIdentity: false, cloud: 'Public' }, secrets: {}, cloud }),
      logger,
      timeoutMs,
    });

  const cloudClient = (credential: TokenCredential | undefined, secrets = {}, timeoutMs?: number) =>
    new ConnectorClient({
      hosts: { cloud: 'Public', appId: APP_ID, serviceUrl: fake.serviceUrl },
      tokens: new BotTokenProvider({
        config: { appId: APP_ID, authType: 'secret', useManagedIdentity: false, cloud: 'Public' },
        secrets,
        cloud,
        credential,
        logger,
      }),
      logger,
      timeoutMs,
    });

  it('local mode: posts the activity body, with no Authorization header', async () => {
    const activity = { type: 'message', text: 'Your pairing code is 123-456', from: { id: 'bot' }, conversation: { id: 'a:1' } };
    const outcome = await localClient().sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'a:1xyz', activity });
    assert.deepEqual(outcome, { ok: true, status: 201, id: 'activity-1' });
    assert.equal(fake.received.length, 1);
    const got = fake.received[0];
    assert.equal(got.path, '/teams/v3/conversations/a%3A1xyz/activities');
    assert.equal(got.conversationId, 'a:1xyz');
    assert.equal(got.authorization, undefined);
    assert.deepEqual(got.body, activity);
  });

  it('a reply carries replyToId and leaves the caller\'s object alone', async () => {
    const activity = { type: 'message', text: 'approved' };
    const outcome = await localClient().sendActivity({
      serviceUrl: fake.serviceUrl,
      conversationId: '19:abc@thread.tacv2;messageid=42',
      activity,
      replyToId: '42',
    });
    assert.equal(outcome.ok, true);
    assert.equal(fake.received[0].conversationId, '19:abc@thread.tacv2;messageid=42');
    assert.deepEqual(fake.received[0].body, { type: 'message', text: 'approved', replyToId: '42' });
    assert.deepEqual(activity, { type: 'message', text: 'approved' });
  });

  it('encodes a hostile conversation id instead of letting it change the path', async () => {
    await localClient().sendActivity({ serviceUrl: fake.serviceUrl, conversationId: '../../x?y#z', activity: { type: 'message' } });
    assert.equal(fake.received.length, 1);
    assert.equal(fake.received[0].conversationId, '../../x?y#z');
  });

  it('with appId and a credential: sends the bearer token, and reuses it', async () => {
    const credential = new CountingCredential();
    const client = cloudClient(credential);
    const results = await Promise.all([1, 2, 3].map((n) =>
      client.sendActivity({ serviceUrl: fake.serviceUrl, conversationId: `c${n}`, activity: { type: 'message', text: `m${n}` } }),
    ));
    results.forEach((r) => assert.equal(r.ok, true));
    await client.sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'c4', activity: { type: 'message' } });
    assert.equal(credential.calls, 1, 'one token request for concurrent and later sends');
    assert.deepEqual(credential.scopes, ['https://api.botframework.com/.default']);
    assert.equal(fake.received.length, 4);
    for (const r of fake.received) assert.equal(r.authorization, 'Bearer injected-token-1');
  });

  it('renews a token that is about to expire', async () => {
    const credential = new CountingCredential('ok', 60_000); // inside the 5 minute margin
    const client = cloudClient(credential);
    await client.sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'c', activity: { type: 'message' } });
    await client.sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'c', activity: { type: 'message' } });
    assert.equal(credential.calls, 2);
  });

  it('refuses a non-allowed serviceUrl before asking for a token', async () => {
    const credential = new CountingCredential();
    const client = cloudClient(credential);
    for (const serviceUrl of ['https://evil.example/teams/', 'https://smba.trafficmanager.net@127.0.0.1/', 'http://smba.trafficmanager.net/amer/']) {
      const outcome = await client.sendActivity({ serviceUrl, conversationId: 'c', activity: { type: 'message' } });
      assert.equal(outcome.ok, false);
      if (!outcome.ok) {
        assert.equal(outcome.reason, 'send-refused-host');
        assert.equal(outcome.status, 0);
      }
    }
    assert.equal(credential.calls, 0);
    assert.equal(fake.requestCount(), 0);
  });

  it('local mode refuses a real Bot Connector host', async () => {
    const outcome = await localClient().sendActivity({ serviceUrl: 'https://smba.trafficmanager.net/amer/', conversationId: 'c', activity: { type: 'message' } });
    assert.equal(outcome.ok ? 'ok' : outcome.reason, 'send-refused-host');
  });

  it('appId without any credential → send-no-credentials, nothing sent', async () => {
    const outcome = await cloudClient(undefined).sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'c', activity: { type: 'message' } });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.reason, 'send-no-credentials');
      assert.match(outcome.detail, /certificatePath/);
    }
    assert.equal(fake.requestCount(), 0);
  });

  it('an Entra refusal → send-failed: Entra\'s sentence, what it means for the bot and the fix, on one line', async () => {
    const outcome = await cloudClient(new CountingCredential('fail'), { appPassword: 's3cr3t-value' }).sendActivity({
      serviceUrl: fake.serviceUrl,
      conversationId: 'c',
      activity: { type: 'message' },
    });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.reason, 'send-failed');
      assert.match(outcome.detail, /invalid_client.*AADSTS7000215/);
      assert.match(outcome.detail, /AADSTS7000215: Invalid client secret provided\. .*very often the secret's ID \(a GUID\) was pasted instead of its Value.* Fix: In the Azure portal open App registrations/);
      assert.equal(outcome.detail.split('\n').length, 1);
      assert.ok(!outcome.detail.includes('Trace ID'));
      assert.ok(!outcome.detail.includes('s3cr3t-value'));
    }
    assert.ok(!logger.text().includes('s3cr3t-value'));
    assert.equal(fake.requestCount(), 0);
  });

  for (const [status, pattern] of [
    [500, /HTTP 500: Failure fake connector says 500/],
    [403, /HTTP 403.*installed/],
    [401, /HTTP 401.*token was not accepted/],
    [404, /HTTP 404/],
  ] as const) {
    it(`maps HTTP ${status} to send-failed with that status`, async () => {
      fake.setMode({ kind: 'fail', status });
      const outcome = await cloudClient(new CountingCredential()).sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'c', activity: { type: 'message' } });
      assert.equal(outcome.ok, false);
      if (!outcome.ok) {
        assert.equal(outcome.reason, 'send-failed');
        assert.equal(outcome.status, status);
        assert.match(outcome.detail, pattern);
        assert.ok(!outcome.detail.includes('injected-token'));
      }
    });
  }

  it('does not follow a redirect (the token would go along)', async () => {
    const other = await startFakeConnector();
    try {
      fake.setMode({ kind: 'redirect', location: `${other.serviceUrl}v3/conversations/c/activities` });
      const outcome = await cloudClient(new CountingCredential()).sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'c', activity: { type: 'message' } });
      assert.equal(outcome.ok, false);
      if (!outcome.ok) assert.equal(outcome.status, 307);
      assert.equal(other.requestCount(), 0);
    } finally {
      await other.stop();
    }
  });

  it('a hanging connector → send-failed after the timeout', async () => {
    fake.setMode({ kind: 'hang' });
    // The connector never answers, so only the client's own 400 ms timer can end this
    // (the test's timeout is the hang guard); the detail names that timer.
    const outcome = await localClient(400).sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'c', activity: { type: 'message' } });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.reason, 'send-failed');
      assert.equal(outcome.status, 0);
      assert.equal(outcome.detail, 'The Bot Connector did not answer within 0.4 s.');
    }
    assert.equal(fake.requestCount(), 1, 'the request reached the connector before the client gave up');
  });

  it('a token request that never ends → send-failed at the deadline, nothing sent', async () => {
    // getToken never settles, so only the client's 300 ms deadline can end this (the test's timeout is the hang guard).
    const stuck: TokenCredential = { getToken: () => new Promise<AccessToken>(() => {}) };
    const outcome = await cloudClient(stuck, {}, 300).sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'c', activity: { type: 'message' } });
    assert.equal(outcome.ok ? 'ok' : outcome.reason, 'send-failed');
    if (!outcome.ok) assert.match(outcome.detail, /Entra ID did not issue a bot token within 0\.3 s/);
    assert.equal(fake.requestCount(), 0);
  });

  it('a connector that is not running → send-failed naming the error', async () => {
    const gone = fake.serviceUrl;
    await fake.stop();
    const outcome = await localClient().sendActivity({ serviceUrl: gone, conversationId: 'c', activity: { type: 'message' } });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.match(outcome.detail, /ECONNREFUSED/);
    fake = await startFakeConnector(); // for afterEach
  });
});
