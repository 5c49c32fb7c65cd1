import * as path from 'node:path';
import { PairingStore } from '../../core/pairingStore';
import { approvePairing, rejectPairing, PairingNotFoundError } from '../../core/pairingActions';
import { loadConfigFile } from '../../core/config/configLoader';
import { sendApprovalNotice } from '../../core/gateway/approvalNotice';
import type { PairingRequest } from '../../core/pairingRequest';
import type { Logger } from '../../core/logger';
import { resolveCommon, type CommonOptions } from '../options';
import { ago } from '../../core/timeAgo';
import { table } from '../table';
import { UserError } from '../cliError';

function openStore(stateDir: string, logger: Logger): PairingStore {
  // Limits only matter for new requests, which the CLI never creates.
  return new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60 * 24 * 7, maxPending: 1000, logger });
}

export async function pairingList(opts: CommonOptions & { json?: boolean }, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  const store = openStore(stateDir, logger);
  if (loaded.config) store.setLimits({ ttlMinutes: loaded.config.pairing.codeTtlMinutes, maxPending: loaded.config.pairing.maxPending });
  await store.load();
  const list = store.list();
  if (opts.json) {
    out.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) {
    out.write('No pending pairing requests.\n');
    return 0;
  }
  const rows = list.map((r) => [r.code, r.meta.name ?? '', r.meta.aadObjectId ?? r.id, String(r.meta.count), ago(r.createdAt), ago(r.lastSeenAt)]);
  out.write(table(['CODE', 'NAME', 'SENDER', 'MESSAGES', 'REQUESTED', 'LAST SEEN'], rows));
  return 0;
}

export async function pairingApprove(code: string, opts: CommonOptions, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  if (loaded.exists && !loaded.config) {
    throw new UserError(`${configFile} is invalid, so the approval cannot be written to allowFrom: run \`teams-bot-dev config validate\` and fix it first.`);
  }
  const config = loaded.config;
  return withStore(stateDir, logger, async (store) => {
    const result = await approvePairing({
      configFile,
      store,
      logger,
      notify: config ? (request) => sendApprovalNotice(request, config, loaded.secrets, logger) : undefined,
    }, code);
    out.write(`Approved ${result.request.code}: ${describe(result.request)} ${result.added ? 'added to' : 'was already in'} allowFrom in ${configFile} as ${result.entry}.\n`);
    out.write(`${result.notice.sent ? 'The sender was told they are approved.' : `Notice: ${result.notice.detail}.`}\n`);
    return 0;
  });
}

export async function pairingReject(code: string, opts: CommonOptions, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  return withStore(stateDir, logger, async (store) => {
    const request = await rejectPairing({ configFile, store, logger }, code);
    out.write(`Rejected ${request.code}: ${describe(request)} stays unable to message the bot; a new message from them creates a new code.\n`);
    return 0;
  });
}

/** An unknown code is the user's mistake (exit 1, one sentence); the store is always closed. */
async function withStore(stateDir: string, logger: Logger, fn: (store: PairingStore) => Promise<number>): Promise<number> {
  const store = openStore(stateDir, logger);
  try {
    return await fn(store);
  } catch (err) {
    if (err instanceof PairingNotFoundError) throw new UserError(err.message);
    throw err;
  } finally {
    store.close();
  }
}

function describe(r: PairingRequest): string {
  return r.meta.name ? `${r.meta.name} (${r.id})` : r.id;
}
