/**
 * The local-mode gate (requestSource.ts) on its own: which clients count as
 * the developer's own, which as a tunnel, another machine or a web page.
 */
import * as assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { browserMarkers, classifySource, hasProxyHeaders, isLoopbackAddress, isLoopbackHost, localClientRefusal } from '../../src/core/gateway/requestSource';

/** What curl sends to http://127.0.0.1:3978. */
const CURL: IncomingHttpHeaders = { host: '127.0.0.1:3978', 'user-agent': 'curl/8.5.0', accept: '*/*', 'content-type': 'application/json' };
/** What the Agents Playground's server sends (captured from the real one: axios from Node). */
const PLAYGROUND: IncomingHttpHeaders = {
  accept: 'application/json, text/plain, */*', 'content-type': 'application/json', 'x-ms-agents-playground': 'true',
  'user-agent': 'axios/1.12.2', 'accept-encoding': 'gzip, compress, deflate, br', host: 'localhost:3978', connection: 'keep-alive',
};
/** What Node's own fetch (undici) sends: Sec-Fetch-Mode, but none of the headers only a browser adds. */
const NODE_FETCH: IncomingHttpHeaders = {
  host: '127.0.0.1:3978', connection: 'keep-alive', 'content-type': 'application/json', accept: '*/*', 'accept-language': '*',
  'sec-fetch-mode': 'cors', 'user-agent': 'node', 'accept-encoding': 'gzip, deflate',
};

describe('requestSource: the local-mode gate', () => {
  describe('classifySource', () => {
    it('a loopback client without proxy headers is loopback, over IPv4, IPv6 and IPv4-mapped IPv6', () => {
      for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1', '::ffff:7f00:1']) {
        assert.equal(classifySource(address, CURL), 'loopback', address);
      }
    });

    it('each proxy header makes a loopback client a tunnel', () => {
      const proxyHeaders = ['forwarded', 'via', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'x-ms-devtunnel-id'];
      for (const name of proxyHeaders) {
        assert.equal(classifySource('127.0.0.1', { ...CURL, [name]: 'x' }), 'tunnel', name);
        assert.equal(classifySource('::ffff:127.0.0.1', { ...CURL, [name]: 'x' }), 'tunnel', name);
        assert.equal(hasProxyHeaders({ [name]: 'x' }), true, name);
      }
      assert.equal(hasProxyHeaders(CURL), false);
      assert.equal(hasProxyHeaders(PLAYGROUND), false);
    });

    it('any other address is remote, with or without proxy headers', () => {
      for (const address of ['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', 'fe80::1', '2001:db8::1', '128.0.0.1', '::2', '', undefined, 'not-an-ip', '127.0.0.1.evil']) {
        assert.equal(classifySource(address, CURL), 'remote', String(address));
        assert.equal(classifySource(address, { ...CURL, 'x-forwarded-for': '127.0.0.1' }), 'remote', String(address));
        assert.equal(isLoopbackAddress(address), false, String(address));
      }
    });
  });

  describe('browser markers', () => {
    it('curl, Node\'s fetch and the Agents Playground carry none and pass', () => {
      assert.deepEqual(browserMarkers(CURL), []);
      assert.deepEqual(browserMarkers(PLAYGROUND), []);
      assert.deepEqual(browserMarkers(NODE_FETCH), [], 'Sec-Fetch-Mode alone is what undici sends');
      assert.equal(localClientRefusal(CURL), undefined);
      assert.equal(localClientRefusal(PLAYGROUND), undefined);
      assert.equal(localClientRefusal(NODE_FETCH), undefined);
      assert.equal(localClientRefusal({}), undefined, 'no Host at all (HTTP/1.0) cannot be a browser');
    });

    it('Origin (a site, or "null" from a sandboxed frame or file: page) marks a browser', () => {
      for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:3978', 'http://localhost:5173']) {
        const refusal = localClientRefusal({ ...CURL, origin });
        assert.equal(refusal?.reason, 'browser-request', origin);
        assert.match(refusal!.detail, new RegExp(`Origin: ${JSON.stringify(origin).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      }
    });

    it('each Fetch Metadata header a browser adds (all but Mode, which undici sends too) marks a browser', () => {
      const cases: IncomingHttpHeaders[] = [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-origin' },
        { 'sec-fetch-dest': 'empty' },
        { 'sec-fetch-user': '?1' },
        { 'sec-fetch-storage-access': 'none' },
      ];
      for (const extra of cases) {
        assert.equal(localClientRefusal({ ...CURL, ...extra })?.reason, 'browser-request', JSON.stringify(extra));
      }
      assert.match(localClientRefusal({ ...CURL, 'sec-fetch-site': 'cross-site' })!.detail, /Sec-Fetch-Site: "cross-site"/);
    });

    it('client hints and CORS preflight headers mark a browser too', () => {
      for (const extra of [{ 'sec-ch-ua': '"Chromium";v="130"' }, { 'sec-ch-ua-platform': '"Linux"' }, { 'access-control-request-private-network': 'true' }, { 'access-control-request-method': 'POST' }]) {
        assert.equal(localClientRefusal({ ...CURL, ...extra })?.reason, 'browser-request', JSON.stringify(extra));
      }
    });

    it('names every marker found, with hostile values quoted on one line', () => {
      const markers = browserMarkers({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors\nINFO forged', referer: 'https://evil.example/' });
      assert.deepEqual(markers, ['Origin: "https://evil.example"', 'Sec-Fetch-Site: "cross-site"']);
      assert.deepEqual(browserMarkers({ 'sec-fetch-site': 'none\nINFO forged' }), ['Sec-Fetch-Site: "none INFO forged"']);
    });
  });

  describe('Host (DNS rebinding)', () => {
    it('loopback names and addresses pass, with or without a port', () => {
      for (const host of ['127.0.0.1:3978', '127.0.0.1', '127.1.2.3:80', 'localhost:3978', 'LOCALHOST', 'bot.localhost:3978', '[::1]:3978', '[::1]', '[::ffff:127.0.0.1]:3978', '[0:0:0:0:0:0:0:1]:3978']) {
        assert.equal(isLoopbackHost(host), true, host);
        assert.equal(localClientRefusal({ ...CURL, host }), undefined, host);
      }
    });

    it('any other name or address is refused as host-not-loopback', () => {
      for (const host of ['evil.example:3978', 'evil.example', '127.0.0.1.nip.io:3978', 'localhost.evil.example', 'localhost.', '10.0.0.5:3978', '[::2]:3978', '[fe80::1]', '0.0.0.0:3978', '127.1:3978', '2130706433', '', 'localhost:3978:1', '[::1']) {
        assert.equal(isLoopbackHost(host), false, host);
        const refusal = localClientRefusal({ ...CURL, host });
        assert.equal(refusal?.reason, 'host-not-loopback', host);
      }
      assert.match(localClientRefusal({ ...CURL, host: 'evil.example:3978' })!.detail, /Host: "evil\.example:3978"/);
    });

    it('a browser with a foreign Host is named as a browser first', () => {
      assert.equal(localClientRefusal({ host: 'evil.example:3978', origin: 'http://evil.example:3978' })?.reason, 'browser-request');
    });
  });
});
