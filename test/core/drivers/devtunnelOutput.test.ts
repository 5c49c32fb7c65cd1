import { strict as assert } from 'node:assert';
import {
  classifyDevtunnelFailure,
  HostOutputParser,
  parseHostOutput,
  parsePortJson,
  parseTunnelJson,
  parseTunnelList,
  parseUserShow,
  pickPortUrl,
  splitTunnelId,
} from '../../../src/core/drivers/devtunnelOutput';
import { fixture } from './driverTestSupport';

describe('devtunnelOutput', () => {
  describe('parseUserShow', () => {
    it('reads the logged-in sentence', () => {
      assert.deepEqual(parseUserShow(fixture('devtunnel/user-show-logged-in.txt')), {
        loggedIn: true,
        expired: false,
        username: 'dev@contoso.com',
        provider: 'microsoft',
        status: 'Logged in',
      });
    });

    it('reads a GitHub login printed with CRLF', () => {
      const status = parseUserShow(fixture('devtunnel/user-show-logged-in-github-crlf.txt'));
      assert.equal(status.loggedIn, true);
      assert.equal(status.username, 'octocat');
      assert.equal(status.provider, 'github');
    });

    it('reads "Not logged in."', () => {
      assert.deepEqual(parseUserShow(fixture('devtunnel/user-show-logged-out.txt')), {
        loggedIn: false,
        expired: false,
        status: 'Not logged in.',
      });
    });

    it('treats an expired token as logged out', () => {
      assert.deepEqual(parseUserShow(fixture('devtunnel/user-show-expired.txt')), {
        loggedIn: false,
        expired: true,
        status: 'Login token expired.',
      });
    });

    it('reads the --json form behind a welcome banner', () => {
      assert.deepEqual(parseUserShow(fixture('devtunnel/user-show-logged-in.json')), {
        loggedIn: true,
        expired: false,
        username: 'dev@contoso.com',
        provider: 'microsoft',
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        status: 'Logged in',
      });
    });

    it('reads a logged-out --json status', () => {
      const status = parseUserShow('{"status":"Not logged in"}');
      assert.equal(status.loggedIn, false);
      assert.equal(status.status, 'Not logged in');
    });
  });

  describe('tunnel JSON', () => {
    it('parses create --json', () => {
      assert.deepEqual(parseTunnelJson(fixture('devtunnel/create.json')), {
        tunnelId: 'mybot.euw',
        name: 'mybot',
        clusterId: 'euw',
        hostConnections: 0,
        clientConnections: 0,
        description: '',
        labels: [],
        ports: [],
        accessControl: [],
        allowsAnonymous: false,
        expiration: '30 days',
      });
    });

    it('parses show --json with ports and anonymous access', () => {
      const tunnel = parseTunnelJson(fixture('devtunnel/show.json'));
      assert.equal(tunnel.hostConnections, 1);
      assert.deepEqual(tunnel.labels, ['teams-bot']);
      assert.equal(tunnel.description, 'Teams bot webhook');
      assert.equal(tunnel.allowsAnonymous, true);
      assert.deepEqual(tunnel.ports, [
        { portNumber: 3978, protocol: 'auto', portUri: 'https://mybot-3978.euw.devtunnels.ms/', clientConnections: 0 },
      ]);
    });

    it('parses list --json', () => {
      const tunnels = parseTunnelList(fixture('devtunnel/list.json'));
      assert.deepEqual(
        tunnels.map((t) => [t.tunnelId, t.name, t.clusterId, t.hostConnections, t.clientConnections, t.ports.length, t.allowsAnonymous]),
        [
          ['mybot.euw', 'mybot', 'euw', 0, 0, 1, true],
          ['other-tunnel.usw2', 'other-tunnel', 'usw2', 1, 2, 0, false],
        ],
      );
    });

    it('parses port create --json', () => {
      assert.deepEqual(parsePortJson(fixture('devtunnel/port-create.json')), {
        portNumber: 3978,
        protocol: 'auto',
        portUri: undefined,
        clientConnections: 0,
      });
    });

    it('rejects output without a tunnel', () => {
      assert.throws(() => parseTunnelJson('Tunnel not found.'), /no tunnel/);
      assert.throws(() => parseTunnelList('{"something":1}'), /no tunnel list/);
    });

    it('does not count a denied anonymous entry as access', () => {
      const tunnel = parseTunnelJson('{"tunnel":{"tunnelId":"x","accessControl":["-Anonymous [connect]"]}}');
      assert.equal(tunnel.allowsAnonymous, false);
    });

    it('splits the cluster off a tunnel id', () => {
      assert.deepEqual(splitTunnelId('mybot.euw'), { name: 'mybot', clusterId: 'euw' });
      assert.deepEqual(splitTunnelId('mybot'), { name: 'mybot' });
    });
  });

  describe('classifyDevtunnelFailure', () => {
    const cases: [string, string][] = [
      ['devtunnel/create-not-logged-in.txt', 'not-logged-in'],
      ['devtunnel/list-login-required.txt', 'not-logged-in'],
      ['devtunnel/create-conflict.txt', 'conflict'],
      ['devtunnel/create-rate-limited.txt', 'rate-limited'],
      ['devtunnel/host-rate-limited.txt', 'rate-limited'],
      ['devtunnel/show-not-found.txt', 'not-found'],
      ['devtunnel/user-show-expired.txt', 'login-expired'],
    ];
    for (const [file, kind] of cases) {
      it(`${file} → ${kind}`, () => assert.equal(classifyDevtunnelFailure(fixture(file)), kind));
    }

    it('recognises the 429 in a websocket upgrade failure', () => {
      assert.equal(
        classifyDevtunnelFailure("devtunnel: Error connecting host tunnel session: The server returned status code '429' when status code '101' was expected."),
        'rate-limited',
      );
    });

    it('leaves unknown failures unknown', () => {
      assert.equal(classifyDevtunnelFailure('Something else broke.'), 'unknown');
    });
  });

  describe('host output', () => {
    it('reads an ephemeral tunnel (one URL)', () => {
      const summary = parseHostOutput(fixture('devtunnel/host-ephemeral.txt'));
      assert.deepEqual([...summary.urls], [[3978, 'https://abcd1234-3978.euw.devtunnels.ms']]);
      assert.deepEqual([...summary.inspectUrls], [[3978, 'https://abcd1234-3978-inspect.euw.devtunnels.ms']]);
      assert.equal(summary.readyTunnelId, 'abcd1234.euw');
      assert.equal(summary.failure, undefined);
    });

    it('takes the -PORT. URL from a two-URL line, per port', () => {
      const summary = parseHostOutput(fixture('devtunnel/host-two-url.txt'));
      assert.deepEqual(summary.ports, [5000, 9000]);
      assert.deepEqual(
        [...summary.urls],
        [
          [5000, 'https://mybot-5000.euw.devtunnels.ms'],
          [9000, 'https://mybot-9000.euw.devtunnels.ms'],
        ],
      );
      assert.equal(summary.inspectUrls.get(9000), 'https://mybot-9000-inspect.euw.devtunnels.ms');
    });

    it('reads the older one-line format, repairing the https:/ typo', () => {
      const summary = parseHostOutput(fixture('devtunnel/host-old.txt'));
      assert.deepEqual([...summary.urls], [[8080, 'https://mybot-8080.usw2.devtunnels.ms']]);
      assert.deepEqual([...summary.inspectUrls], [[8080, 'https://mybot-8080-inspect.usw2.devtunnels.ms']]);
      assert.equal(summary.readyTunnelId, 'mybot');
    });

    it('reads the short one-line format', () => {
      assert.deepEqual([...parseHostOutput(fixture('devtunnel/host-old-short.txt')).urls], [[3000, 'https://l3rs99qw-3000.usw2.devtunnels.ms']]);
    });

    it('ignores ANSI colours, CRLF and lines it does not know', () => {
      const summary = parseHostOutput(fixture('devtunnel/host-ansi-crlf.txt'));
      assert.deepEqual([...summary.urls], [[3978, 'https://mybot-3978.euw.devtunnels.ms']]);
      assert.equal(summary.readyTunnelId, 'mybot.euw');
      assert.equal(summary.failure, undefined);
    });

    it('reports a rate limit', () => {
      const summary = parseHostOutput(fixture('devtunnel/host-rate-limited.txt'));
      assert.equal(summary.failure, 'rate-limited');
      assert.equal(summary.urls.size, 0);
    });

    it('emits events line by line, with the port remembered from the previous line', () => {
      const parser = new HostOutputParser();
      assert.deepEqual(parser.feed('Hosting port: 3978'), [{ kind: 'port', port: 3978 }]);
      assert.deepEqual(parser.feed('Connect via browser: https://a.euw.devtunnels.ms:3978, https://a-3978.euw.devtunnels.ms'), [
        {
          kind: 'url',
          port: 3978,
          url: 'https://a-3978.euw.devtunnels.ms',
          urls: ['https://a.euw.devtunnels.ms:3978', 'https://a-3978.euw.devtunnels.ms'],
        },
      ]);
      assert.deepEqual(parser.feed('   '), []);
      assert.deepEqual(parser.feed('Ready to accept connections for tunnel: a.euw'), [{ kind: 'ready', tunnelId: 'a.euw' }]);
    });

    it('picks the per-port URL, else one without an explicit port', () => {
      assert.equal(pickPortUrl(['https://x.euw.devtunnels.ms:3978', 'https://x-3978.euw.devtunnels.ms'], 3978), 'https://x-3978.euw.devtunnels.ms');
      assert.equal(pickPortUrl(['https://x.euw.devtunnels.ms:3978', 'https://custom.example.com'], 3978), 'https://custom.example.com');
      assert.equal(pickPortUrl([], 3978), undefined);
    });
  });
});
