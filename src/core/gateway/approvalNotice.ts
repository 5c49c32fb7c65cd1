import type { Activity } from '../activity/activity';
import type { Logger } from '../logger';
import type { PairingRequest } from '../pairing/pairingRequest';
import type { TeamsBotConfig, TeamsBotSecrets } from '../config/configTypes';
import type { SendTarget } from './activitySender';
import { approvedMessage } from './messages';
import { createConnectorSender } from './teamsConnection';
import { loadConfigFile } from '../config/configLoader';

/**
 * "You are approved", sent into the conversation stored with the pairing
 * request, from the bot account the sender wrote to. Undefined when the
 * request has no conversation to answer in.
 */
export function approvalNotice(request: PairingRequest): { target: SendTarget; activity: Partial<Activity> } | undefined {
  if (!request.meta.serviceUrl || !request.meta.conversationId) return undefined;
  return {
    target: { serviceUrl: request.meta.serviceUrl, conversationId: request.meta.conversationId },
    activity: {
      type: 'message',
      text: approvedMessage(request),
      textFormat: 'markdown',
      from: request.meta.botId ? { id: request.meta.botId, name: request.meta.botName } : undefined,
      recipient: { id: request.id, name: request.meta.name, aadObjectId: request.meta.aadObjectId },
      conversation: { id: request.meta.conversationId },
    },
  };
}

/** For approvals made while no gateway runs (the CLI, the extension with the webhook stopped). */
export async function sendApprovalNotice(request: PairingRequest, config: TeamsBotConfig, secrets: TeamsBotSecrets, logger: Logger): Promise<{ sent: boolean; detail: string }> {
  if (!config.pairing.notifyOnApprove) return { sent: false, detail: 'no notice sent (pairing.notifyOnApprove is off)' };
  const notice = approvalNotice(request);
  if (!notice) return { sent: false, detail: 'the request has no conversation to reply to' };
  const result = await createConnectorSender(config, secrets, logger).send(notice.target, notice.activity);
  return result.ok ? { sent: true, detail: 'the sender was told they are approved' } : { sent: false, detail: `the approval notice was not sent (${result.reason}): ${result.detail}` };
}


export type ApprovalNotify = (request: PairingRequest) => Promise<{ sent: boolean; detail: string }>;

/**
 * The notify step of an approval made while no gateway runs (the CLI, the
 * extension with the webhook stopped), shared so both honour the same config.
 * It reads the config when the notice is due, after the approval is made, and
 * never throws: a fault here must not turn an approval that happened into an
 * error. A missing file means the defaults (local mode); an invalid or
 * unreadable one means no notice, with why. `secrets` (Secret Storage in
 * VS Code) win over the environment's.
 */
export function approvalNotifier(configFile: string, secrets: TeamsBotSecrets, logger: Logger): ApprovalNotify {
  return async (request) => {
    try {
      const loaded = await loadConfigFile(configFile);
      if (!loaded.config) return { sent: false, detail: `no notice sent: ${configFile} is invalid (its errors: \`teams-bot-dev config validate\`, or Problems in VS Code)` };
      const merged: TeamsBotSecrets = { ...loaded.secrets };
      if (secrets.appPassword) merged.appPassword = secrets.appPassword;
      return await sendApprovalNotice(request, loaded.config, merged, logger);
    } catch (err) {
      return { sent: false, detail: `no notice sent: ${(err as Error).message.replace(/\.$/, '')}` };
    }
  };
}
