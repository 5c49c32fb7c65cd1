/**
 * JWT check breakdown (bench --profile): one BotFrameworkAuth.check (ours,
 * over the Teams SDK's ServiceTokenValidator → jsonwebtoken + jwks-rsa)
 * against its parts, serial, keys already cached. Prints one JSON line.
 *
 *   node --require tsx/cjs bench/lib/jwtCost.ts
 */
import { createPublicKey } from 'node:crypto';
import { startBotFrameworkStub } from '../../test/support/botFrameworkStub';
import { BotFrameworkAuth } from '../../src/core/auth/botFrameworkAuth';
import { resolveCloud } from '../../src/core/auth/cloud';

// The SDK's own dependency, as it calls it (no types needed for two calls).
const jwt = require('jsonwebtoken') as { verify(token: string, key: unknown, opts: Record<string, unknown>): unknown };

const N = Number(process.env.N ?? 2000);
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

async function timeUs(fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(i);
  const t = performance.now();
  for (let i = 0; i < N; i++) await fn(i);
  return Math.round(((performance.now() - t) * 1000) / N);
}

async function run(): Promise<void> {
  const stub = await startBotFrameworkStub({ appId: 'bench-app', serviceUrl: SERVICE_URL });
  try {
    const tokens = await Promise.all(Array.from({ length: 64 }, () => stub.mint()));
    const auth = new BotFrameworkAuth({ appId: 'bench-app', cloud: resolveCloud({ cloud: 'Public', cloudOverrides: stub.cloudOverrides }) });
    const activity = { serviceUrl: SERVICE_URL, channelId: 'msteams' };
    const first = await auth.check(`Bearer ${tokens[0]}`, activity);
    if (!first.ok) throw new Error(`the stub token did not verify: ${JSON.stringify(first)}`);
    const validatorKeyFetches = stub.hits.get('/v1/.well-known/keys') ?? 0;
    const keys = (await (await fetch(`${stub.baseUrl}/v1/.well-known/keys`)).json()) as { keys: Record<string, unknown>[] };
    const jwk = keys.keys.find((k) => k.kid === stub.trustedKid)!;
    const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
    const keyObject = createPublicKey(pem);
    const verifyOpts = { algorithms: ['RS256'], audience: ['bench-app'], clockTolerance: 300 };
    const out = {
      iterations: N,
      botFrameworkAuthCheckUs: await timeUs((i) => auth.check(`Bearer ${tokens[i % 64]}`, activity)),
      jsonwebtokenVerifyWithPemUs: await timeUs((i) => jwt.verify(tokens[i % 64], pem, verifyOpts)),
      jsonwebtokenVerifyWithKeyObjectUs: await timeUs((i) => jwt.verify(tokens[i % 64], keyObject, verifyOpts)),
      createPublicKeyFromPemUs: await timeUs(() => createPublicKey(pem)),
      validatorKeyFetches,
      openssl: process.versions.openssl,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await stub.stop();
  }
}

void run().catch((err: unknown) => {
  process.stderr.write(`jwtCost failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
