/**
 * Runs in a child process started by botTokenProvider.test.ts with
 * NODE_EXTRA_CA_CERTS pointing at the test CA: Node reads that variable only
 * at start-up, so the real ClientSecretCredential can trust the local Entra
 * stand-in only in a fresh process. Input comes in CHILD_INPUT (JSON); the
 * result goes to stdout as one JSON line.
 */
import { resolveCloud } from '../../../src/core/auth/cloud';
import type { TeamsBotConfig } from '../../../src/core/config/configTypes';
import { BotTokenProvider } from '../../../src/core/credentials/botTokenProvider';
import { ConnectorClient } from '../../../src/core/connector/connectorClient';
import { MemoryLogger } from '../../../src/core/logger';

interface ChildInput {
  authorityHost: string;
  appId: string;
  tenantId?: string;
  appPassword: string;
  serviceUrl: string;
  sends: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.CHILD_INPUT ?? '{}') as ChildInput;
  const config: Pick<TeamsBotConfig, 'appId' | 'tenantId' | 'authType' | 'useManagedIdentity' | 'cloud' | 'cloudOverrides' | 'serviceUrl'> = {
    appId: input.appId,
    tenantId: input.tenantId,
    authType: 'secret',
    useManagedIdentity: false,
    cloud: 'Public',
    cloudOverrides: { loginEndpoint: input.authorityHost },
    serviceUrl: input.serviceUrl,
  };
  const logger = new MemoryLogger();
  const cloud = resolveCloud(config);
  const tokens = new BotTokenProvider({ config, secrets: { appPassword: input.appPassword }, cloud, logger });
  const client = new ConnectorClient({
    hosts: { cloud: config.cloud, appId: config.appId, serviceUrl: config.serviceUrl },
    tokens,
    logger,
    timeoutMs: 10_000,
  });
  const outcomes = [];
  for (let i = 0; i < input.sends; i++) {
    outcomes.push(
      await client.sendActivity({
        serviceUrl: input.serviceUrl,
        conversationId: `a:conversation-${i}`,
        activity: { type: 'message', text: `hello ${i}` },
      }),
    );
  }
  process.stdout.write(`${JSON.stringify({ kind: tokens.kind, outcomes, log: logger.lines })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
