import { readActivities } from '../../core/activityLog';
import type { ActivityRecord } from '../../core/activityRecord';
import { resolveCommon, type CommonOptions } from '../options';
import { table } from './pairing';

export interface ActivitiesOptions extends CommonOptions {
  dropped?: boolean;
  json?: boolean;
  limit?: number;
}

/** What reached the webhook and what became of it, newest first; --dropped shows only what was not delivered. */
export async function activities(opts: ActivitiesOptions, out: NodeJS.WritableStream): Promise<number> {
  const { stateDir } = resolveCommon(opts);
  const records = await readActivities(stateDir, { limit: opts.limit ?? 20, notDelivered: opts.dropped });
  if (opts.json) {
    out.write(`${JSON.stringify(records, null, 2)}\n`);
    return 0;
  }
  if (records.length === 0) {
    out.write(opts.dropped ? 'Nothing was dropped, rejected or failed.\n' : `No activities recorded in ${stateDir} yet.\n`);
    return 0;
  }
  out.write(table(['TIME', 'DIR', 'STATUS', 'FATE', 'REASON', 'TYPE', 'SENDER', 'TEXT'], records.map(row)));
  return 0;
}

function row(r: ActivityRecord): string[] {
  const s = r.summary;
  return [
    r.time.replace('T', ' ').slice(0, 19),
    r.direction === 'inbound' ? 'in' : 'out',
    String(r.status),
    r.fate,
    r.reason + (r.pairingCode ? ` (${r.pairingCode})` : ''),
    s.type ?? '-',
    s.senderName ?? s.senderId ?? '-',
    (s.text ?? '').slice(0, 40),
  ];
}
