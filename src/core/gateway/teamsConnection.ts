import { BotFrameworkAuth } from '../auth/botFrameworkAuth';
import { resolveCloud } from '../auth/cloud';
import { BotTokenProvider } from '../credentials/botTokenProvider';
import { ConnectorClient } from '../connector/connectorClient';
import type { Logger } from '../logger';
import type { TeamsBotConfig, TeamsBotSecrets } from '../config/configTypes';
import type { Authenticator } from './pipeline';
import type { ActivitySender } from './activitySender';

/**
 * Builds the two links to Microsoft's cloud from one config: the JWT check
 * for what comes in, and the Bot Connector client for what goes out.
 */
export function createAuthenticator(config: TeamsBotConfig, logger: Logger): Authenticator {
  const auth = new BotFrameworkAuth({ appId: config.appId!, tenantId: config.tenantId, cloud: resolveCloud(config), logger });
  return { check: (header, activity) => auth.check(header, activity) };
}

export function createConnectorSender(config: TeamsBotConfig, secrets: TeamsBotSecrets, logger: Logger): ActivitySender {
  const cloud = resolveCloud(config);
  const client = new ConnectorClient({
    hosts: { cloud: config.cloud, appId: config.appId, serviceUrl: config.serviceUrl },
    tokens: new BotTokenProvider({ config, secrets, cloud, logger }),
    logger,
  });
  return {
    send: (target, activity) =>
      client.sendActivity({ serviceUrl: target.serviceUrl, conversationId: target.conversationId, activity, replyToId: target.replyToId }),
  };
}
