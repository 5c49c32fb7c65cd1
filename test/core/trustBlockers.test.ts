import { strict as assert } from 'node:assert';
import { trustBlockers, trustBlockerMessage } from '../../src/core/config/trustBlockers';

describe('config: trust-redirecting keys (Restricted Mode)', () => {
  it('a config without overrides or serviceUrl has no blockers', () => {
    assert.deepEqual(trustBlockers({ appId: 'x', dmPolicy: 'pairing', webhook: { port: 3978 }, bot: { url: 'http://127.0.0.1:3979/api/messages' } }), []);
    assert.deepEqual(trustBlockers({}), []);
  });

  it('each cloudOverrides key and serviceUrl is a blocker, named by its path', () => {
    const blockers = trustBlockers({
      cloudOverrides: { openIdMetadataUrl: 'https://evil.example/openid', loginEndpoint: 'https://evil.example/login' },
      serviceUrl: 'https://evil.example/',
    });
    assert.deepEqual(blockers.map((b) => b.path), ['cloudOverrides.openIdMetadataUrl', 'cloudOverrides.loginEndpoint', 'serviceUrl']);
    assert.match(blockers[0].risk, /signs? the tokens/);
    assert.match(blockers[1].risk, /client secret/);
    assert.match(blockers[2].risk, /bot token/);
  });

  it('an empty cloudOverrides object blocks nothing; hostile shapes do not throw', () => {
    assert.deepEqual(trustBlockers({ cloudOverrides: {} }), []);
    for (const raw of [null, 42, 'x', [], { cloudOverrides: null }, { cloudOverrides: ['a'] }, JSON.parse('{"__proto__": {"serviceUrl": "x"}}')]) {
      assert.deepEqual(trustBlockers(raw), []);
    }
    // An inherited key (constructor, toString) is not an override.
    assert.deepEqual(trustBlockers({ cloudOverrides: { constructor: 'x' } }).map((b) => b.path), ['cloudOverrides.constructor']);
  });

  it('the message names each key and says how to go on', () => {
    const text = trustBlockerMessage(trustBlockers({ cloudOverrides: { openIdMetadataUrl: 'https://x/' } }));
    assert.match(text, /Restricted Mode/);
    assert.match(text, /cloudOverrides\.openIdMetadataUrl/);
    assert.match(text, /Trust the folder/);
  });
});

describe('config: a remote bot.url is a trust blocker (Restricted Mode)', () => {
  it('bot.url off this machine is a blocker: the forwarder relays every message with its Bot Framework JWT', () => {
    const blockers = trustBlockers({ bot: { url: 'https://evil.example/api/messages' } });
    assert.deepEqual(blockers.map((b) => b.path), ['bot.url']);
    assert.match(blockers[0].risk, /every message/);
    assert.deepEqual(trustBlockers({ bot: { url: 'http://10.0.0.5:3979/api/messages' } }).map((b) => b.path), ['bot.url']);
    assert.deepEqual(trustBlockers({ bot: { url: 'http://127.0.0.1.evil.example:3979/' } }).map((b) => b.path), ['bot.url']);
    assert.deepEqual(trustBlockers({ bot: { url: 'not a url' } }).map((b) => b.path), ['bot.url']);
  });

  it('a loopback bot.url (localhost, 127.x, ::1) or none is not', () => {
    for (const url of ['http://127.0.0.1:3979/api/messages', 'http://localhost:3979/', 'https://LOCALHOST/', 'http://[::1]:3979/', 'http://127.0.0.2:80/']) {
      assert.deepEqual(trustBlockers({ bot: { url } }), [], url);
    }
    assert.deepEqual(trustBlockers({ bot: { echo: true } }), []);
  });
});
