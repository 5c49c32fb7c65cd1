import assert from 'node:assert/strict';
import { checkServiceUrl, isLoopbackHost, type ConnectorHostContext } from '../../../src/core/connector/connectorHosts';

const APP = '11111111-2222-3333-4444-555555555555';
const publicCtx: ConnectorHostContext = { cloud: 'Public', appId: APP };

const ok = (url: string, ctx: ConnectorHostContext = publicCtx) => {
  const r = checkServiceUrl(url, ctx);
  assert.equal(r.ok, true, `${url} should be allowed: ${r.ok ? '' : r.detail}`);
};
const refused = (url: string, ctx: ConnectorHostContext = publicCtx, pattern?: RegExp) => {
  const r = checkServiceUrl(url, ctx);
  assert.equal(r.ok, false, `${url} should be refused`);
  if (!r.ok && pattern) assert.match(r.detail, pattern);
};

describe('checkServiceUrl', () => {
  it('allows the public Bot Connector hosts over https', () => {
    ok('https://smba.trafficmanager.net/amer/');
    ok('https://smba.trafficmanager.net/teams');
    ok('https://SMBA.TrafficManager.NET/emea/'); // hosts are case-insensitive
    ok('https://smba.trafficmanager.net:443/amer/'); // the default port, spelled out
    ok('https://smba.onyx.prod.teams.trafficmanager.net/');
    ok('https://smba.infra.gcc.teams.microsoft.com/teams');
  });

  it('allows each sovereign cloud its own host and nothing else', () => {
    ok('https://smba.infra.gov.teams.microsoft.us/teams', { cloud: 'USGov', appId: APP });
    ok('https://smba.infra.dod.teams.microsoft.us/teams', { cloud: 'USGovDoD', appId: APP });
    ok('https://frontend.botapi.msg.infra.teams.microsoftonline.cn/', { cloud: 'China', appId: APP });
    refused('https://smba.trafficmanager.net/amer/', { cloud: 'USGov', appId: APP }, /belongs to the Public cloud/);
    refused('https://smba.infra.gov.teams.microsoft.us/teams', publicCtx, /"cloud": "USGov"/);
    refused('https://smba.infra.dod.teams.microsoft.us/teams', { cloud: 'USGov', appId: APP });
  });

  it('refuses look-alike hosts', () => {
    refused('https://smba.trafficmanager.net.evil.com/amer/', publicCtx, /not a Bot Connector host/);
    refused('https://evil-smba.trafficmanager.net/');
    refused('https://attacker.trafficmanager.net/');
    refused('https://evil.com/smba.trafficmanager.net/');
    refused('https://evil.com/?u=https://smba.trafficmanager.net/');
    refused('https://webchat.botframework.com/');
  });

  it('refuses userinfo tricks without echoing the credentials', () => {
    const r = checkServiceUrl('https://smba.trafficmanager.net@evil.com/amer/', publicCtx);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.detail, /'evil\.com'/);
    const withPassword = checkServiceUrl('https://user:hunter2@smba.trafficmanager.net/amer/', publicCtx);
    assert.equal(withPassword.ok, false);
    if (!withPassword.ok) assert.ok(!withPassword.detail.includes('hunter2'));
  });

  it('refuses a trailing dot, http, other ports and other schemes', () => {
    refused('https://smba.trafficmanager.net./amer/', publicCtx, /ends with a dot/);
    refused('http://smba.trafficmanager.net/amer/', publicCtx, /not https/);
    refused('https://smba.trafficmanager.net:8443/amer/', publicCtx, /port 8443/);
    refused('ftp://smba.trafficmanager.net/', publicCtx);
    refused('javascript:alert(1)', publicCtx);
    refused('not a url', publicCtx, /not an absolute URL/);
    refused('', publicCtx);
  });

  it('refuses loopback when an appId is configured', () => {
    refused('http://127.0.0.1:3978/', publicCtx);
    refused('http://localhost:3978/', publicCtx);
  });

  it('local mode (no appId) allows loopback http(s) only', () => {
    const local: ConnectorHostContext = { cloud: 'Public' };
    ok('http://127.0.0.1:3978/teams/', local);
    ok('http://127.8.9.10:1/', local);
    ok('https://localhost:4443/', local);
    ok('http://LOCALHOST:1/', local);
    ok('http://[::1]:3978/', local);
    ok('http://0x7f.0.0.1:3978/', local); // URL canonicalises it to 127.0.0.1
    refused('https://smba.trafficmanager.net/amer/', local, /local mode/);
    refused('http://128.0.0.1/', local);
    refused('http://localhost.evil.com/', local);
    refused('http://127.0.0.1.nip.io/', local);
    refused('http://localhost./', local);
    refused('http://user@127.0.0.1/', local);
    refused('http://[::ffff:7f00:1]/', local);
  });

  it('allows exactly the origin of config.serviceUrl', () => {
    const ctx: ConnectorHostContext = { cloud: 'Public', appId: APP, serviceUrl: 'https://connector.example.test/api/' };
    ok('https://connector.example.test/other/path', ctx);
    refused('https://connector.example.test:8443/api/', ctx);
    refused('http://connector.example.test/api/', ctx);
    refused('https://sub.connector.example.test/api/', ctx);
    ok('https://smba.trafficmanager.net/amer/', ctx); // the cloud's hosts still work
  });

  it('accepts a configured http serviceUrl only on loopback', () => {
    ok('http://127.0.0.1:9000/teams/', { cloud: 'Public', appId: APP, serviceUrl: 'http://127.0.0.1:9000/' });
    refused('http://connector.example.test/', { cloud: 'Public', appId: APP, serviceUrl: 'http://connector.example.test/' });
  });

  it('isLoopbackHost', () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('127.255.255.255'), true);
    assert.equal(isLoopbackHost('[::1]'), true);
    assert.equal(isLoopbackHost('localhost'), true);
    assert.equal(isLoopbackHost('10.0.0.1'), false);
    assert.equal(isLoopbackHost('127.0.0.1.evil'), false);
  });
});
