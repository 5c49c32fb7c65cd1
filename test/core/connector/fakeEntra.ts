/**
 * A local Entra ID stand-in, just enough for MSAL's client-credentials flow:
 * the tenant's OpenID configuration and its token endpoint, over https
 * (MSAL and @azure/identity refuse a plain-http authority), and an App Service
 * managed identity endpoint (plain http, as on App Service) for the federated
 * flow.
 *
 * It refuses the way Entra does, from a small directory model rather than a
 * script: a tenant that does not exist, an app that is not in the tenant asked,
 * a wrong or expired secret, an expired or untrusted assertion. Status codes,
 * `error` values and the AADSTS texts are Entra's own (as quoted in public bug
 * reports, e.g. OfficeDev/microsoft-365-agents-toolkit#8621 for 7000215,
 * Azure/azure-cli#22145 for 90002 on the discovery endpoint).
 */
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TokenRequest {
  path: string;
  form: Record<string, string>;
}

export interface FakeEntra {
  readonly authorityHost: string;
  readonly tokenRequests: TokenRequest[];
  readonly paths: string[];
  readonly issued: string[];
  /** App Service managed identity: set these as IDENTITY_ENDPOINT and IDENTITY_HEADER in the process that asks. */
  readonly managedIdentity: { endpoint: string; header: string; requests: string[] };
  stop(): Promise<void>;
}

export interface FakeEntraOptions {
  cert: string;
  key: string;
  /** The bot's app registration. */
  clientId: string;
  /** Its current client secret. */
  clientSecret: string;
  /** Secrets of the app whose end date has passed. */
  expiredSecrets?: string[];
  /** Tenants that exist (by id or domain); unset: every tenant name exists. */
  tenants?: string[];
  /** A single-tenant app: only this tenant (and none other, botframework.com included) knows clientId. Unset: multi-tenant. */
  appTenant?: string;
  /** The managed identity's client id that the app's federated credential trusts; unset: none is trusted. */
  federatedManagedIdentity?: string;
  /** The managed identity hands out assertions that expired a while ago (this machine's clock is wrong). */
  expiredAssertions?: boolean;
  /** Certificates (PEM) registered on the app, for certificate-signed client assertions. */
  certificates?: string[];
}

const TRACE = '\r\nTrace ID: 6f6c4645-0202-4486-b625-fa957dfc4700\r\nCorrelation ID: 5fc87507-4086-4e77-b415-cee677eb232e\r\nTimestamp: 2026-01-01 00:00:00Z';

export async function startFakeEntra(opts: FakeEntraOptions): Promise<FakeEntra> {
  const tokenRequests: TokenRequest[] = [];
  const paths: string[] = [];
  const issued: string[] = [];
  const miRequests: string[] = [];
  const miHeader = `mi-header-${Math.random().toString(36).slice(2)}`;
  const assertions = new Map<string, { clientId: string; exp: number }>();
  let base = '';

  const tenantExists = (tenant: string) => !opts.tenants || opts.tenants.includes(tenant);
  const appInTenant = (tenant: string) => !opts.appTenant || opts.appTenant === tenant;

  /** Entra's error body: status, `error`, and the AADSTS description with its trace lines. */
  const entraError = (status: number, error: string, code: number, description: string) => ({
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}${TRACE}`,
      error_codes: [code],
      timestamp: '2026-01-01 00:00:00Z',
      trace_id: '6f6c4645-0202-4486-b625-fa957dfc4700',
      correlation_id: '5fc87507-4086-4e77-b415-cee677eb232e',
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  });
  const tenantNotFound = (tenant: string) =>
    entraError(400, 'invalid_tenant', 90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);

  /** What Entra answers a client-credentials request with. */
  const answerToken = (tenant: string, form: Record<string, string>): { status: number; body: unknown } => {
    if (!tenantExists(tenant)) return tenantNotFound(tenant);
    if (form.client_id !== opts.clientId || !appInTenant(tenant)) {
      return entraError(400, 'unauthorized_client', 700016,
        `Application with identifier '${form.client_id}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    }
    const signedBy = form.client_assertion === undefined ? undefined : certificateThumbprints(form.client_assertion);
    if (signedBy) {
      // A certificate credential: the JWT header names the certificate; Entra
      // checks it is registered on the app, and the signature with its key.
      const registered = (opts.certificates ?? []).find((pem) => matches(pem, signedBy));
      if (!registered || !verifies(form.client_assertion, registered)) {
        return entraError(401, 'invalid_client', 700027,
          `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${signedBy.hex}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${opts.clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${opts.clientId}'].`);
      }
    } else if (form.client_assertion !== undefined) {
      const assertion = assertions.get(form.client_assertion);
      if (assertion && assertion.exp * 1000 < Date.now()) {
        const now = new Date().toISOString().replace('Z', '0000Z');
        return entraError(400, 'invalid_client', 700024,
          `Client assertion is not within its valid time range. Current time: ${now}, assertion valid from 1970-01-01T00:00:00.0000000Z, expiry time of assertion ${new Date(assertion.exp * 1000).toISOString().replace('Z', '0000Z')}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`);
      }
      if (!assertion || assertion.clientId !== opts.federatedManagedIdentity) {
        return entraError(400, 'invalid_request', 70021,
          `No matching federated identity record found for presented assertion. Assertion Issuer: '${base}/managed-identity'. Assertion Subject: '${assertion?.clientId ?? 'unknown'}'. Assertion Audience: 'api://AzureADTokenExchange'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`);
      }
    } else if (form.client_secret === undefined || form.client_secret === '') {
      return entraError(401, 'invalid_client', 7000218,
        `The request body must contain the following parameter: 'client_assertion' or 'client_secret'.`);
    } else if (opts.expiredSecrets?.includes(form.client_secret)) {
      return entraError(401, 'invalid_client', 7000222,
        `The provided client secret keys for app '${opts.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`);
    } else if (form.client_secret !== opts.clientSecret) {
      return entraError(401, 'invalid_client', 7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${opts.clientId}'.`);
    }
    const token = `fake-entra-access-token-${issued.length + 1}-${Math.random().toString(36).slice(2)}`;
    issued.push(token);
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token } };
  };

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
        const tenant = decodeURIComponent(config[1]);
        // Entra refuses discovery for a tenant that does not exist, before any token request.
        if (!tenantExists(tenant)) {
          const { status, body } = tenantNotFound(tenant);
          return send(status, body);
        }
        return send(200, {
          token_endpoint: `${base}/${config[1]}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/${config[1]}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/${config[1]}/oauth2/v2.0/logout`,
          device_authorization_endpoint: `${base}/${config[1]}/oauth2/v2.0/devicecode`,
          issuer: `${base}/${config[1]}/v2.0`,
          jwks_uri: `${base}/${config[1]}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        });
      }
      const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
      if (req.method === 'POST' && token) {
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        tokenRequests.push({ path, form });
        const { status, body } = answerToken(decodeURIComponent(token[1]), form);
        return send(status, body);
      }
      send(404, { error: 'not_found', error_description: `no route ${req.method} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // App Service's managed identity endpoint: GET ?resource=…&client_id=… with X-IDENTITY-HEADER.
  const mi = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    miRequests.push(`${req.method} ${url.pathname}?${url.searchParams.toString()}`);
    if (req.headers['x-identity-header'] !== miHeader) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ statusCode: 401, message: 'Unauthorized' }));
    }
    const clientId = url.searchParams.get('client_id') ?? 'system-assigned';
    const now = Math.floor(Date.now() / 1000);
    // The token's own exp: hours in the past when the clock is wrong. The
    // response's expires_on stays in the future, so MSAL hands it out.
    const exp = opts.expiredAssertions ? now - 7200 : now + 3600;
    const payload = Buffer.from(JSON.stringify({ aud: url.searchParams.get('resource'), sub: clientId, exp })).toString('base64url');
    const assertion = `eyJhbGciOiJub25lIn0.${payload}.`;
    assertions.set(assertion, { clientId, exp });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: assertion, expires_on: String(now + 3600), resource: url.searchParams.get('resource'), token_type: 'Bearer', client_id: clientId }));
  });
  await new Promise<void>((resolve) => mi.listen(0, '127.0.0.1', resolve));
  const miEndpoint = `http://127.0.0.1:${(mi.address() as AddressInfo).port}/msi/token`;

  return {
    authorityHost: base,
    tokenRequests,
    paths,
    issued,
    managedIdentity: { endpoint: miEndpoint, header: miHeader, requests: miRequests },
    stop() {
      const close = (s: http.Server) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        });
      return Promise.all([close(server), close(mi)]).then(() => undefined);
    },
  };
}

/** The certificate a client assertion's header names (x5t#S256 or x5t), if it names one. */
function certificateThumbprints(assertion: string): { sha256?: string; sha1?: string; hex: string } | undefined {
  try {
    const header = JSON.parse(Buffer.from(assertion.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
    const sha256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
    const sha1 = typeof header.x5t === 'string' ? header.x5t : undefined;
    if (!sha256 && !sha1) return undefined;
    return { sha256, sha1, hex: Buffer.from((sha256 ?? sha1)!, 'base64url').toString('hex').toUpperCase() };
  } catch {
    return undefined;
  }
}

function matches(pem: string, t: { sha256?: string; sha1?: string }): boolean {
  const cert = new crypto.X509Certificate(pem);
  const b64 = (fingerprint: string) => Buffer.from(fingerprint.replace(/:/g, ''), 'hex').toString('base64url');
  return (t.sha256 !== undefined && t.sha256 === b64(cert.fingerprint256)) || (t.sha1 !== undefined && t.sha1 === b64(cert.fingerprint));
}

function verifies(assertion: string, pem: string): boolean {
  const [h, p, sig] = assertion.split('.');
  const alg = (JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string }).alg;
  const key = new crypto.X509Certificate(pem).publicKey;
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(sig ?? '', 'base64url');
  if (alg === 'RS256') return crypto.verify('sha256', data, key, signature);
  if (alg === 'PS256') return crypto.verify('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO }, signature);
  return false;
}

/** A throwaway CA and a leaf for 127.0.0.1 signed by it (ca.crt, leaf.crt, leaf.key in dir). Needs openssl. */
export function makeCertificates(dir: string): void {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
    '-subj', '/CN=teams-bot-dev test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(path.join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '2', '-extfile', 'leaf.ext']);
}

/**
 * The fake Entra over https with a fresh test CA, for a suite whose child
 * processes (the CLI) ask it: caFile goes into their NODE_EXTRA_CA_CERTS. Skips
 * the suite, with a note, when openssl (which makes the CA) is missing. stop()
 * also removes the CA's directory.
 */
export async function startFakeEntraWithTestCa(suite: Mocha.Context, opts: Omit<FakeEntraOptions, 'cert' | 'key'>): Promise<FakeEntra & { caFile: string }> {
  if (!hasOpenssl()) {
    process.stderr.write('      (skipped: openssl is not installed, and these tests need it to make a test CA: apt-get install openssl)\n');
    suite.skip();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbd-entra-ca-'));
  try {
    makeCertificates(dir);
    const entra = await startFakeEntra({ ...opts, cert: fs.readFileSync(path.join(dir, 'leaf.crt'), 'utf8'), key: fs.readFileSync(path.join(dir, 'leaf.key'), 'utf8') });
    const stopServer = entra.stop.bind(entra);
    return Object.assign(entra, {
      caFile: path.join(dir, 'ca.crt'),
      stop: async () => {
        await stopServer();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** True when openssl can run (the CA needs it); tests skip with a note otherwise. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a TypeScript script (tsx) in a fresh Node that trusts the test CA in
 * caDir: NODE_EXTRA_CA_CERTS is read only at start-up, so the real
 * @azure/identity can reach the https stand-in only from a new process. The
 * input goes in CHILD_INPUT (JSON); the script's last stdout line is its
 * result (JSON).
 */
export function runWithTestCa<T>(script: string, caDir: string, input: unknown, env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<{ stdout: string; stderr: string; result: T }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--require', 'tsx/cjs', script],
      {
        cwd: path.resolve(__dirname, '..', '..', '..'),
        timeout: timeoutMs,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(caDir, 'ca.crt'), NO_PROXY: '127.0.0.1,localhost', ...env, CHILD_INPUT: JSON.stringify(input) },
      },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve({ stdout, stderr, result: JSON.parse(line) as T });
        } catch {
          reject(new Error(`child produced no result (${err?.message ?? 'exit 0'}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}
