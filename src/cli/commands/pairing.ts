import * as path from 'node:path';
import { PairingStore } from '../../core/pairing/pairingStore';
import {
  approvePairing, rejectPairing, listApproved, revokeApproval, promoteApproval,
  PairingNotFoundError, PairingResolvedElsewhereError, ApprovedSenderNotFoundError, ApprovedSenderInConfigError, ConfigWriteError,
} from '../../core/pairing/pairingActions';
import { isStateFileError } from '../../core/pairing/stateFile';
import { loadConfigFile } from '../../core/config/configLoader';
import { approvalNotifier } from '../../core/gateway/approvalNotice';
import type { PairingRequest } from '../../core/pairing/pairingRequest';
import type { Logger } from '../../core/logger';
import { resolveCommon, type CommonOptions } from '../options';
import { ago } from '../../core/timeAgo';
import { table } from '../table';
import { matchAllowlist } from '../../core/policy/allowlistMatch';
import { effectiveList } from '../../core/config/accessGroups';
import { UserError } from '../cliError';

function openStore(stateDir: string, logger: Logger): PairingStore {
  // Limits only matter for new requests, which the CLI never creates.
  return new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60 * 24 * 7, maxPending: 1000, logger });
}

export async function pairingList(opts: CommonOptions & { json?: boolean }, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  return withStore(stateDir, logger, async (store) => {
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
  });
}

/**
 * Approves a code: the sender goes into <state-dir>/allowFrom.json, which
 * opens personal chats only (`pairing promote` puts them in the config).
 * All or nothing: a fault leaves the request pending and prints one sentence.
 */
export async function pairingApprove(code: string, opts: CommonOptions, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  const dmPolicy = loaded.config?.dmPolicy;
  return withStore(stateDir, logger, async (store) => {
    const result = await approvePairing({ configFile, store, logger, via: 'cli', notify: approvalNotifier(configFile, {}, logger) }, code);
    if (result.alreadyApproved) {
      out.write(`${result.request.code} was already approved: ${describe(result.request)} ${canDm(dmPolicy, configFile, 'can')}. Nothing changed; no second notice was sent.\n`);
      return 0;
    }
    out.write(`Approved ${result.request.code}: ${describe(result.request)} ${result.added ? canDm(dmPolicy, configFile, 'can now') : 'was already approved for personal chats'} (${path.join(stateDir, 'allowFrom.json')}, as ${result.entry}). Group chats and channels still follow groupAllowFrom/allowFrom in the config: \`teams-bot-dev pairing promote ${result.entry}\` adds them there.\n`);
    out.write(`${result.notice.sent ? 'The sender was told they are approved.' : `Notice: ${result.notice.detail}.`}\n`);
    return 0;
  }, true);
}

export async function pairingReject(code: string, opts: CommonOptions, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  return withStore(stateDir, logger, async (store) => {
    const request = await rejectPairing({ configFile, store, logger }, code);
    out.write(`Rejected ${request.code}: ${describe(request)} stays unable to message the bot; a new message from them creates a new code.\n`);
    return 0;
  }, true);
}

/** Everyone who may message the bot by approval: pairing approvals (personal chats only) and the config's allowFrom. */
export async function pairingApproved(opts: CommonOptions & { json?: boolean }, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  return withStore(stateDir, logger, async (store) => {
    const list = await listApproved({ store, config: loaded.config });
    if (opts.json) {
      out.write(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    if (list.length === 0) {
      out.write('Nobody is approved yet: approve a pairing code with `teams-bot-dev pairing approve CODE`.\n');
      return 0;
    }
    const rows = list.map((s) => [
      s.entry,
      s.name ?? '',
      s.source === 'pairing' ? 'pairing (personal chats)' : 'config allowFrom',
      s.approvedAt ? ago(s.approvedAt) : '',
      s.approvedBy ?? '',
      s.code ?? '',
    ]);
    out.write(table(['SENDER', 'NAME', 'WHERE', 'APPROVED', 'BY', 'CODE'], rows));
    if (!loaded.config && loaded.exists) out.write(`(${configFile} is invalid, so its allowFrom is not listed: run \`teams-bot-dev config validate\`.)\n`);
    return 0;
  });
}

export async function pairingRevoke(id: string, opts: CommonOptions, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  return withStore(stateDir, logger, async (store) => {
    const removed = await revokeApproval({ configFile, store, logger, config: loaded.config }, id);
    // Still in the config's allowFrom (as their id, AAD object id or entry): the revoke alone does not shut them out.
    const from = { id: removed.id ?? removed.entry, aadObjectId: removed.aadObjectId, name: removed.name };
    const config = loaded.config;
    const stillAllowed = config ? matchAllowlist(effectiveList(config.allowFrom, config), { from }, config.dangerouslyAllowNameMatching) : undefined;
    const next = stillAllowed?.matched
      ? `they are still allowed by allowFrom in ${configFile} (entry ${stillAllowed.entry}): remove them there too to shut them out`
      : loaded.config?.dmPolicy === 'pairing' || !loaded.config
        ? 'their next personal message starts a new pairing'
        : `dmPolicy is "${loaded.config.dmPolicy}", which decides their personal messages from now on`;
    out.write(`Revoked ${removed.name ? `${removed.name} (${removed.entry})` : removed.entry}: ${next}.\n`);
    return 0;
  }, true);
}

export async function pairingPromote(id: string, opts: CommonOptions, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  if (loaded.exists && !loaded.config) {
    throw new UserError(`${configFile} is invalid, so the sender cannot be written to its allowFrom: run \`teams-bot-dev config validate\` and fix it first.`);
  }
  return withStore(stateDir, logger, async (store) => {
    const { sender, added } = await promoteApproval({ configFile, store, logger }, id);
    out.write(`Promoted ${sender.name ? `${sender.name} (${sender.entry})` : sender.entry}: ${added ? 'added to' : 'already in'} allowFrom in ${configFile}, which also admits them to group chats and channels when groupAllowFrom is unset or empty.\n`);
    return 0;
  }, true);
}

/** What an approval means under the config's dmPolicy: approvals count under "pairing" only. */
function canDm(dmPolicy: string | undefined, configFile: string, can: 'can' | 'can now'): string {
  switch (dmPolicy) {
    case 'pairing':
      return `${can} message the bot in a personal chat`;
    case 'open':
      return 'is recorded as approved, though dmPolicy "open" lets anyone message the bot in a personal chat anyway';
    case undefined:
      return `is recorded as approved; it counts once ${configFile} is valid with dmPolicy "pairing" (\`teams-bot-dev config validate\`)`;
    default:
      return `is recorded as approved, but it does not count while dmPolicy is "${dmPolicy}" in ${configFile}: set dmPolicy to "pairing" (or \`teams-bot-dev pairing promote\` them into allowFrom) to let them message the bot`;
  }
}

/**
 * A mistake the user can fix (unknown code or sender, a state dir that
 * cannot be written or locked) is one sentence and exit 1; the store is
 * always closed.
 */
async function withStore(stateDir: string, logger: Logger, fn: (store: PairingStore) => Promise<number>, changes = false): Promise<number> {
  const store = openStore(stateDir, logger);
  try {
    return await fn(store);
  } catch (err) {
    if (err instanceof PairingNotFoundError || err instanceof PairingResolvedElsewhereError || err instanceof ApprovedSenderNotFoundError || err instanceof ApprovedSenderInConfigError) throw new UserError(err.message);
    if (isStateFileError(err)) throw new UserError(changes ? `${err.message} Nothing was changed.` : err.message);
    if (err instanceof ConfigWriteError) throw new UserError(err.message);
    throw err;
  } finally {
    store.close();
  }
}

function describe(r: PairingRequest): string {
  return r.meta.name ? `${r.meta.name} (${r.id})` : r.id;
}
