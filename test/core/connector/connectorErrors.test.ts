import assert from 'node:assert/strict';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { resolveCloud } from '../../../src/core/auth/cloud';
import { BotTokenProvider } from '../../../src/core/credentials/botTokenProvider';
import { ConnectorClient } from '../../../src/core/connector/connectorClient';
import { explainConnectorError, errorCode, retryAfterSeconds } from '../../../src/core/connector/connectorErrors';
import { startFakeConnector, type FakeConnector } from '../../support/fakeConnector';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const credential: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: 'tok', expiresOnTimestamp: Date.now() + 3600_000 }) };

/** The bodies the Bot Connector answers with (Microsoft's status code table; the MessageWritesBlocked shape from the proactive-messages page). */
const ROSTER = { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } };
const BLOCKED = { error: { code: 'ConversationBlockedByUser', message: 'User blocked the conversation with the bot.' } };
const NOT_FOUND = { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } };
const THROTTLED = { error: { code: 'Throttled', message: 'Too many requests.' } };
const UNAUTHORIZED = { message: 'Authorization has been denied for this request.' };
const BAD_ARGUMENT = { error: { code: 'BadArgument', message: 'Activity resulted into multiple skype activities' } };
const WRITES_BLOCKED = { errorCode: 209, message: '{\r\n  "subCode": "MessageWritesBlocked",\r\n  "details": "Thread is blocked from message writes.",\r\n  "errorCode": null,\r\n  "errorSubCode": null\r\n}' };

describe('explainConnectorError', () => {
  it('reads the code from the Bot Connector body and from Teams\' nested subCode', () => {
    assert.equal(errorCode(ROSTER), 'BotNotInConversationRoster');
    assert.equal(errorCode(JSON.stringify(BLOCKED)), 'ConversationBlockedByUser');
    assert.equal(errorCode(WRITES_BLOCKED), 'MessageWritesBlocked');
    assert.equal(errorCode(UNAUTHORIZED), undefined);
    assert.equal(errorCode('<html>'), undefined);
  });

  it('tells the three 403s apart by their code', () => {
    assert.match(explainConnectorError(403, ROSTER)!, /app was removed from that chat or team/);
    assert.match(explainConnectorError(403, BLOCKED)!, /user blocked the bot/);
    assert.match(explainConnectorError(403, WRITES_BLOCKED)!, /user blocked the bot/);
    assert.match(explainConnectorError(403, { error: { code: 'BotDisabledByAdmin', message: 'The tenant admin disabled this bot' } })!, /admin/);
    assert.match(explainConnectorError(403, {})!, /is the app installed there/);
  });

  it('429: the wait from Retry-After, in seconds or as an HTTP date', () => {
    assert.match(explainConnectorError(429, THROTTLED, { 'Retry-After': '7' })!, /retry after 7 s \(Retry-After\)/);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterSeconds({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now), 30);
    assert.equal(retryAfterSeconds({ 'retry-after': ['3'] }), 3);
    assert.equal(retryAfterSeconds({}), undefined);
    assert.match(explainConnectorError(429, THROTTLED)!, /wait, then retry with backoff/);
  });

  it('401 points at the Credential Check; 404 ConversationNotFound at a fresh reference; 400 names BadArgument', () => {
    assert.match(explainConnectorError(401, UNAUTHORIZED)!, /Teams Bot: Check Bot Credentials.*teams-bot-dev credentials check/);
    assert.match(explainConnectorError(404, NOT_FOUND)!, /Teams does not know this conversation/);
    assert.match(explainConnectorError(400, BAD_ARGUMENT)!, /malformed \(BadArgument\)/);
    assert.equal(explainConnectorError(500, { error: { code: 'ServiceError', message: 'boom' } }), undefined);
  });
});

describe('ConnectorClient send-failed detail: explained, with the Bot Connector\'s own words', () => {
  let fake: FakeConnector;
  beforeEach(async () => {
    fake = await startFakeConnector();
  });
  afterEach(() => fake.stop());

  const client = () =>
    new ConnectorClient({
      hosts: { cloud: 'Public', appId: APP_ID, serviceUrl: fake.serviceUrl },
      tokens: new BotTokenProvider({ config: { appId: APP_ID, authType: 'secret', useManagedIdentity: false, cloud: 'Public' }, secrets: {}, cloud: resolveCloud({ cloud: 'Public' }), credential }),
    });

  const cases: [string, number, unknown, Record<string, string> | undefined, RegExp][] = [
    ['403 BotNotInConversationRoster', 403, ROSTER, undefined, /^The Bot Connector answered HTTP 403: BotNotInConversationRoster The bot is not part of the conversation roster\. The bot is not a member of this conversation: the app was removed from that chat or team/],
    ['403 ConversationBlockedByUser', 403, BLOCKED, undefined, /HTTP 403: ConversationBlockedByUser User blocked the conversation with the bot\. The user blocked the bot/],
    ['404 ConversationNotFound', 404, NOT_FOUND, undefined, /HTTP 404: ConversationNotFound Conversation not found\. Teams does not know this conversation/],
    ['429 with Retry-After', 429, THROTTLED, { 'Retry-After': '12' }, /HTTP 429: Throttled Too many requests\. Teams throttled the bot .*retry after 12 s \(Retry-After\)/],
    ['401', 401, UNAUTHORIZED, undefined, /HTTP 401: Authorization has been denied for this request\. .*run the Credential Check \(Teams Bot: Check Bot Credentials, or `teams-bot-dev credentials check`\)/],
  ];
  for (const [name, status, body, headers, pattern] of cases) {
    it(name, async () => {
      fake.setMode({ kind: 'fail', status, body, headers });
      const outcome = await client().sendActivity({ serviceUrl: fake.serviceUrl, conversationId: 'a:1', activity: { type: 'message', text: 'hi' } });
      assert.equal(outcome.ok, false);
      if (outcome.ok) return;
      assert.equal(outcome.reason, 'send-failed');
      assert.equal(outcome.status, status);
      assert.match(outcome.detail, pattern);
    });
  }
});
