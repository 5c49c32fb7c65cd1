import type { Logger } from './logger';
import type { PairingRequest } from './pairingRequest';
import type { PairingStore } from './pairingStore';
import { addToAllowFrom } from './config/configWriter';

/**
 * Approve and reject, shared by the CLI, the extension and the running
 * gateway, so "whoever performed them" does exactly the same thing.
 */
export class PairingNotFoundError extends Error {
  constructor(code: string, pending: PairingRequest[]) {
    const list = pending.length ? `pending codes: ${pending.map((r) => r.code).join(', ')}` : 'there are no pending requests';
    super(`No pending pairing request has code ${normalizeCode(code)} (${list}). Codes expire after pairing.codeTtlMinutes; the sender gets a new one by writing again.`);
    this.name = 'PairingNotFoundError';
  }
}

export interface PairingActionDeps {
  configFile: string;
  store: PairingStore;
  logger: Logger;
  /** Sends the "you are approved" message; absent or returning false means it was not sent. */
  notify?: (request: PairingRequest) => Promise<{ sent: boolean; detail: string }>;
}

export interface ApproveResult {
  request: PairingRequest;
  /** What was written to allowFrom: the AAD object id when known, else the Teams user id. */
  entry: string;
  /** False when the sender was already in allowFrom. */
  added: boolean;
  notice: { sent: boolean; detail: string };
}

export async function approvePairing(deps: PairingActionDeps, code: string): Promise<ApproveResult> {
  await deps.store.load();
  const request = deps.store.getByCode(code);
  if (!request) throw new PairingNotFoundError(code, deps.store.list());
  const entry = request.meta.aadObjectId ?? request.id;
  // Config first: if this write fails the request stays pending, so nothing is lost.
  const added = await addToAllowFrom(deps.configFile, entry);
  await deps.store.resolve(request.code, 'approved');
  deps.logger.info(`[msteams] pairing approved code=${request.code} sender=${request.id} allowFrom+=${entry}${added ? '' : ' (already there)'}`);
  const notice = deps.notify ? await deps.notify(request) : { sent: false, detail: 'no notice sent (pairing.notifyOnApprove is off)' };
  return { request, entry, added, notice };
}

export async function rejectPairing(deps: PairingActionDeps, code: string): Promise<PairingRequest> {
  await deps.store.load();
  const request = deps.store.getByCode(code);
  if (!request) throw new PairingNotFoundError(code, deps.store.list());
  await deps.store.resolve(request.code, 'rejected');
  deps.logger.info(`[msteams] pairing rejected code=${request.code} sender=${request.id}`);
  return request;
}

export function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}
