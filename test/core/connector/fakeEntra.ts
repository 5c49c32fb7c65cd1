/**
 * A local Entra ID stand-in, just enough for MSAL's client-credentials flow:
 * the tenant's OpenID configuration and its token endpoint, over https
 * (MSAL and @azure/identity refuse a plain-http authority).
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface TokenRequest {
  path: string;
  form: Record<string, string>;
}

export interface FakeEntra {
  readonly authorityHost: string;
  readonly tokenRequests: TokenRequest[];
  readonly paths: string[];
  readonly issued: string[];
  stop(): Promise<void>;
}

export async function startFakeEntra(opts: { cert: string; key: string; clientId: string; clientSecret: string }): Promise<FakeEntra> {
  const tokenRequests: TokenRequest[] = [];
  const paths: string[] = [];
  const issued: string[] = [];
  let base = '';

  const server = https.createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    paths.push(`${req.method} ${path}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const config = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
      if (req.method === 'GET' && config) {
        const tenant = config[1];
        return send(200, {
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
          device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
          issuer: `${base}/${tenant}/v2.0`,
          jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        });
      }
      if (req.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) {
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        tokenRequests.push({ path, form });
        if (form.client_id !== opts.clientId || form.client_secret !== opts.clientSecret) {
          return send(401, {
            error: 'invalid_client',
            error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: 2026-01-01 00:00:00Z`,
            error_codes: [7000215],
            trace_id: '0000',
            correlation_id: '1111',
          });
        }
        const token = `fake-entra-access-token-${issued.length + 1}-${Math.random().toString(36).slice(2)}`;
        issued.push(token);
        return send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
      }
      send(404, { error: 'not_found', error_description: `no route ${req.method} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    authorityHost: base,
    tokenRequests,
    paths,
    issued,
    stop() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
