/**
 * A local stand-in for login.botframework.com: the OpenID metadata document,
 * a JWKS shaped like the real one (kid, use "sig", endorsements), and a mint
 * for tokens signed by a trusted key or by an impostor key.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import type { CloudOverrides } from '../../src/core/config/configTypes';

export const STUB_ISSUER = 'https://api.botframework.com';

export interface MintOptions {
  /** The kid written in the header; defaults to the trusted key's. */
  kid?: string;
  /**
   * Which private key signs: the one in the JWKS (endorsed for msteams), one
   * that is not in it, or a key in it endorsed only for webchat/directline,
   * one with no endorsements field, one with an empty list. The kid defaults
   * to the chosen key's.
   */
  key?: 'trusted' | 'untrusted' | 'webchat' | 'unendorsed' | 'empty-endorsements';
  /** Seconds from now; negative for an already expired token. */
  expiresIn?: number;
  /** Seconds from now for nbf; positive for a token that is not valid yet. */
  notBefore?: number;
  /** Leave these claims out entirely (e.g. 'serviceurl', 'exp'). */
  omit?: string[];
}

export interface BotFrameworkStub {
  readonly baseUrl: string;
  readonly trustedKid: string;
  /** Kids of the other keys in the JWKS, by MintOptions.key. */
  readonly kids: Record<'webchat' | 'unendorsed' | 'empty-endorsements', string>;
  /** Config overrides that point a cloud at this stub. */
  readonly cloudOverrides: CloudOverrides;
  /** How many times each path was requested. */
  readonly hits: Map<string, number>;
  mint(claims?: Record<string, unknown>, opts?: MintOptions): Promise<string>;
  /** Make the keys endpoint answer this status (0 = answer normally). */
  failKeys(status: number): void;
  stop(): Promise<void>;
}

export async function startBotFrameworkStub(defaults: { appId: string; serviceUrl: string }): Promise<BotFrameworkStub> {
  const trustedKid = 'stub-key-1';
  const trusted = await generateKeyPair('RS256', { extractable: true });
  const untrusted = await generateKeyPair('RS256', { extractable: true });
  const second = await generateKeyPair('RS256', { extractable: true });
  const webchat = await generateKeyPair('RS256', { extractable: true });
  const unendorsed = await generateKeyPair('RS256', { extractable: true });
  const empty = await generateKeyPair('RS256', { extractable: true });
  const kids = { webchat: 'stub-key-webchat', unendorsed: 'stub-key-unendorsed', 'empty-endorsements': 'stub-key-empty' } as const;

  // null: no endorsements field at all.
  const jwk = async (key: CryptoKey, kid: string, endorsements: string[] | null = ['msteams']) => ({
    ...(await exportJWK(key)),
    kid,
    use: 'sig',
    ...(endorsements ? { endorsements } : {}),
  });
  const jwks = {
    keys: [
      await jwk(trusted.publicKey, trustedKid),
      await jwk(second.publicKey, 'stub-key-2'),
      await jwk(webchat.publicKey, kids.webchat, ['webchat', 'directline']),
      await jwk(unendorsed.publicKey, kids.unendorsed, null),
      await jwk(empty.publicKey, kids['empty-endorsements'], []),
    ],
  };

  const hits = new Map<string, number>();
  let keysStatus = 0;
  let baseUrl = '';

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/v1/.well-known/openidconfiguration') {
      return send(200, {
        issuer: STUB_ISSUER,
        authorization_endpoint: `${baseUrl}/v1/.well-known/authorize`,
        jwks_uri: `${baseUrl}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (path === '/v1/.well-known/keys') {
      if (keysStatus) return send(keysStatus, { error: 'stub failure' });
      return send(200, jwks);
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    trustedKid,
    kids,
    hits,
    cloudOverrides: {
      openIdMetadataUrl: `${baseUrl}/v1/.well-known/openidconfiguration`,
      tokenIssuer: STUB_ISSUER,
    },
    async mint(claims = {}, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload & Record<string, unknown> = {
        iss: STUB_ISSUER,
        aud: defaults.appId,
        serviceurl: defaults.serviceUrl,
        iat: now,
        nbf: now + (opts.notBefore ?? -60),
        exp: now + (opts.expiresIn ?? 3600),
        ...claims,
      };
      for (const name of opts.omit ?? []) delete payload[name];
      const signer = { trusted, untrusted, webchat, unendorsed, 'empty-endorsements': empty }[opts.key ?? 'trusted'];
      const defaultKid = opts.key === 'webchat' || opts.key === 'unendorsed' || opts.key === 'empty-endorsements' ? kids[opts.key] : trustedKid;
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: opts.kid ?? defaultKid })
        .sign(signer.privateKey);
    },
    failKeys(status) {
      keysStatus = status;
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
