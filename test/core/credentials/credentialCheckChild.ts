/**
 * Runs checkCredentials in a child process started by credentialCheck.test.ts
 * with NODE_EXTRA_CA_CERTS pointing at the test CA (Node reads it only at
 * start-up) and, for the managed identity cases, IDENTITY_ENDPOINT and
 * IDENTITY_HEADER pointing at the fake Entra's App Service endpoint (MSAL
 * reads those from process.env). Input: CHILD_INPUT, a JSON list of cases;
 * output: one JSON line with a result per case and the log.
 */
import { parseConfigText } from '../../../src/core/config/configLoader';
import { checkCredentials } from '../../../src/core/credentials/credentialCheck';
import { MemoryLogger } from '../../../src/core/logger';

export interface ChildCase {
  name: string;
  /** Raw config, validated and defaulted by the real loader. */
  config: Record<string, unknown>;
  appPassword?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

async function main(): Promise<void> {
  const cases = JSON.parse(process.env.CHILD_INPUT ?? '[]') as ChildCase[];
  const logger = new MemoryLogger();
  const results: Record<string, unknown> = {};
  for (const c of cases) {
    const loaded = parseConfigText(JSON.stringify(c.config));
    if (!loaded.config) throw new Error(`${c.name}: invalid config: ${JSON.stringify(loaded.diagnostics)}`);
    results[c.name] = await checkCredentials({
      config: loaded.config,
      secrets: { appPassword: c.appPassword },
      env: c.env ?? {},
      logger,
      timeoutMs: c.timeoutMs,
    });
  }
  process.stdout.write(`${JSON.stringify({ results, log: logger.lines })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
