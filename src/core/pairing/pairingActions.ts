import * as os from 'node:os';
import type { Logger } from '../logger';
import type { PairingRequest } from './pairingRequest';
import type { PairingStore } from './pairingStore';
import type { ApprovedSender } from './allowStore';
import type { TeamsBotConfig } from '../config/configTypes';
import { addToAllowFrom } from '../config/configWriter';
import { normalizePairingCode } from './pairingCode';

/**
 * Approve, reject, list approved senders, revoke and promote: shared by the
 * CLI, the extension and the running gateway, so "whoever performed them"
 * does exactly the same thing.
 *
 * An approval opens personal chats only: the sender goes into the state
 * dir's allow store (allowFrom.json), not into the config's allowFrom, which
 * also admits to group chats and channels when groupAllowFrom is unset.
 * Promote is the explicit step that writes an approved sender into the
 * config's allowFrom.
 */
export class PairingNotFoundError extends Error {
  constructor(code: string, pending: PairingRequest[]) {
    const list = pending.length ? `pending codes: ${pending.map((r) => r.code).join(', ')}` : 'there are no pending requests';
    super(`No pending pairing request has code ${normalizePairingCode(code)} (${list}). Codes expire after pairing.codeTtlMinutes; the sender gets a new one by writing again.`);
    this.name = 'PairingNotFoundError';
  }
}

/** reject found the code pending, but another process resolved it before the rejection was written. */
export class PairingResolvedElsewhereError extends Error {
  constructor(readonly request: PairingRequest, readonly approved: boolean) {
    super(approved
      ? `Pairing code ${request.code} was approved elsewhere a moment ago, so it was not rejected: ${request.id} may message the bot in personal chats (\`teams-bot-dev pairing revoke ${request.meta.aadObjectId ?? request.id}\` undoes that).`
      : `Pairing code ${request.code} expired or was rejected elsewhere a moment ago; nothing was left to reject.`);
    this.name = 'PairingResolvedElsewhereError';
  }
}

/** revoke / promote named a sender that is not approved. */
export class ApprovedSenderNotFoundError extends Error {
  constructor(id: string, approved: ApprovedSenderView[]) {
    const list = approved.length ? `approved: ${approved.map((s) => s.entry).join(', ')}` : 'nobody is approved';
    super(`No approved sender matches ${id} (${list}). Use the AAD object id or Teams user id that \`teams-bot-dev pairing approved\` lists.`);
    this.name = 'ApprovedSenderNotFoundError';
  }
}

export interface PairingActionDeps {
  configFile: string;
  store: PairingStore;
  logger: Logger;
  /** Sends the "you are approved" message; absent or returning false means it was not sent. */
  notify?: (request: PairingRequest) => Promise<{ sent: boolean; detail: string }>;
  /** Which tool acts, recorded with the approval ("cli", "vscode", "gateway"). */
  via?: string;
}

export interface ApproveResult {
  request: PairingRequest;
  /** The allow-store entry: the AAD object id when known, else the Teams user id. */
  entry: string;
  /** False when the sender was already approved (an earlier approval of another code, or another process a moment ago). */
  added: boolean;
  /**
   * True when this code had been approved already (by another process at the
   * same moment, say): nothing was changed and no second notice was sent.
   */
  alreadyApproved: boolean;
  notice: { sent: boolean; detail: string };
}

export async function approvePairing(deps: PairingActionDeps, code: string): Promise<ApproveResult> {
  await deps.store.load();
  const outcome = await deps.store.approve(code, approvedBy(deps.via));
  if (outcome.kind === 'not-found') throw new PairingNotFoundError(code, deps.store.list());
  if (outcome.kind === 'already-approved') {
    const sender = deps.store.approved.find(outcome.id);
    const request: PairingRequest = {
      id: outcome.id,
      code: outcome.code,
      createdAt: outcome.at,
      lastSeenAt: outcome.at,
      meta: { name: sender?.name, aadObjectId: sender?.aadObjectId, conversationId: sender?.conversationId, count: 0 },
    };
    deps.logger.info(`[msteams] pairing code=${outcome.code} sender=${outcome.id} was already approved at ${outcome.at}; nothing changed`);
    return { request, entry: sender?.entry ?? outcome.id, added: false, alreadyApproved: true, notice: { sent: false, detail: `no second notice sent (the code was already approved at ${outcome.at})` } };
  }
  const { request, sender, added } = outcome;
  deps.logger.info(`[msteams] pairing approved code=${request.code} sender=${request.id} approved+=${sender.entry}${added ? '' : ' (already there)'} (personal chats only)`);
  const notice = deps.notify ? await deps.notify(request) : { sent: false, detail: 'no notice sent (pairing.notifyOnApprove is off)' };
  return { request, entry: sender.entry, added, alreadyApproved: false, notice };
}

export async function rejectPairing(deps: PairingActionDeps, code: string): Promise<PairingRequest> {
  await deps.store.load();
  const request = deps.store.getByCode(code);
  if (!request) throw new PairingNotFoundError(code, deps.store.list());
  // Undefined: between the look-up and the locked write, another process resolved it (an approval, say).
  const rejected = await deps.store.resolve(request.code, 'rejected');
  if (!rejected) {
    await deps.store.approved.refresh();
    throw new PairingResolvedElsewhereError(request, deps.store.isApproved({ id: request.id, aadObjectId: request.meta.aadObjectId }));
  }
  deps.logger.info(`[msteams] pairing rejected code=${request.code} sender=${request.id}`);
  return request;
}

/**
 * One approved sender as the Approved Senders view and `pairing approved`
 * show it. `source` says where the approval lives: 'pairing' (allowFrom.json,
 * personal chats only) or 'config' (the config's allowFrom, which also
 * covers group chats and channels when groupAllowFrom is unset).
 */
export interface ApprovedSenderView extends ApprovedSender {
  source: 'pairing' | 'config';
}

/**
 * Everyone approved: pairing approvals first (newest last), then the
 * config's allowFrom entries (wildcards and access groups included as
 * written). An entry in both is listed once, as 'config', with the pairing
 * details.
 */
export async function listApproved(deps: { store: PairingStore; config?: TeamsBotConfig }): Promise<ApprovedSenderView[]> {
  await deps.store.approved.refresh();
  const configEntries = deps.config?.allowFrom ?? [];
  const inConfig = new Set(configEntries.map((e) => e.toLowerCase()));
  const paired = deps.store.approved.list();
  const views: ApprovedSenderView[] = paired.map((s) => ({ ...s, source: inConfig.has(s.entry.toLowerCase()) ? 'config' : 'pairing' }));
  const known = new Set(paired.map((s) => s.entry.toLowerCase()));
  for (const entry of configEntries) {
    if (!known.has(entry.toLowerCase())) views.push({ entry, source: 'config' });
  }
  return views;
}

/**
 * Removes a pairing approval (by entry, Teams user id or AAD object id). The
 * sender's next personal message starts a new pairing. An entry in the
 * config's allowFrom is the config's: it is named, not edited.
 */
export async function revokeApproval(deps: PairingActionDeps & { config?: TeamsBotConfig }, id: string): Promise<ApprovedSender> {
  const removed = await deps.store.approved.remove(id);
  if (!removed) {
    const inConfig = deps.config?.allowFrom.find((e) => e.toLowerCase() === id.toLowerCase());
    if (inConfig) throw new ApprovedSenderInConfigError(inConfig, deps.configFile);
    throw new ApprovedSenderNotFoundError(id, await listApproved(deps));
  }
  deps.logger.info(`[msteams] pairing approval revoked sender=${removed.id ?? removed.entry} entry=${removed.entry}`);
  return removed;
}

/** revoke named an entry that lives in the config, which the user edits. */
export class ApprovedSenderInConfigError extends Error {
  constructor(entry: string, configFile: string) {
    super(`${entry} is in allowFrom in ${configFile}, not a pairing approval: remove it from that file to revoke it.`);
    this.name = 'ApprovedSenderInConfigError';
  }
}

/**
 * Writes a pairing-approved sender into the config's allowFrom (comments
 * kept), which admits them wherever allowFrom counts, group chats and
 * channels included when groupAllowFrom is unset; then removes the pairing
 * approval, now redundant. Config first: if that write fails, nothing changed.
 */
export async function promoteApproval(deps: PairingActionDeps, id: string): Promise<{ sender: ApprovedSender; added: boolean }> {
  await deps.store.approved.refresh();
  const sender = deps.store.approved.find(id);
  if (!sender) throw new ApprovedSenderNotFoundError(id, await listApproved(deps));
  let added: boolean;
  try {
    added = await addToAllowFrom(deps.configFile, sender.entry);
  } catch (err) {
    throw new ConfigWriteError(deps.configFile, err);
  }
  // The config now admits them; a pairing approval left behind is redundant, not wrong.
  await deps.store.approved.remove(sender.entry).catch((err: Error) => deps.logger.warn(`[msteams] ${sender.entry} is now in allowFrom, but removing its pairing approval failed (${err.message}); \`teams-bot-dev pairing revoke ${sender.entry}\` removes it.`));
  deps.logger.info(`[msteams] pairing approval promoted sender=${sender.id ?? sender.entry} allowFrom+=${sender.entry}${added ? '' : ' (already there)'} in ${deps.configFile}`);
  return { sender, added };
}

/** The config's allowFrom could not be written (promote); nothing changed. */
export class ConfigWriteError extends Error {
  constructor(configFile: string, cause: unknown) {
    super(`Cannot write ${configFile} (${cause instanceof Error ? cause.message : String(cause)}): check that it is writable and not locked by another teams-bot-dev, then try again. Nothing was changed.`);
    this.name = 'ConfigWriteError';
  }
}

/**
 * Approves a sender who has no pending request (Approve Sender on an
 * Activities row of a personal chat), exactly as an approved pairing code
 * would: into the allow store, personal chats only, never the config's
 * allowFrom (which would also admit them to group chats via the fallback).
 */
export async function approveSender(
  deps: Pick<PairingActionDeps, 'store' | 'logger' | 'via'>,
  sender: { id: string; name?: string; aadObjectId?: string; conversationId?: string },
): Promise<{ entry: string; added: boolean }> {
  const entry = sender.aadObjectId ?? sender.id;
  const { added } = await deps.store.approved.add({
    entry, id: sender.id, aadObjectId: sender.aadObjectId, name: sender.name, conversationId: sender.conversationId,
    approvedAt: new Date().toISOString(), approvedBy: approvedBy(deps.via),
  });
  deps.logger.info(`[msteams] sender approved without a code sender=${sender.id} approved+=${entry}${added ? '' : ' (already there)'} (personal chats only)`);
  return { entry, added };
}

function approvedBy(via: string | undefined): string {
  let user = '';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry (some containers): the tool alone says enough */
  }
  const tool = via ?? 'teams-bot-dev';
  return user ? `${tool} (${user})` : tool;
}
