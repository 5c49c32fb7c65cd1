import { readActivities } from '../../core/activity/activityLog';
import { toTranscript } from '../../core/activity/transcript';
import { writeFileAtomic } from '../../core/atomicWrite';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import { oneLine } from '../../core/displayText';
import { resolveCommon, type CommonOptions } from '../options';
import { table } from '../table';

export interface ActivitiesOptions extends CommonOptions {
  dropped?: boolean;
  /** Include the Delivery Check's probes, which are not user activities. */
  probes?: boolean;
  json?: boolean;
  limit?: number;
  /** Write the selected activities as a Bot Framework .transcript file instead of listing them. */
  transcript?: string;
}

/** What reached the webhook and what became of it, newest first; --dropped shows only what was not delivered. */
export async function activities(opts: ActivitiesOptions, out: NodeJS.WritableStream): Promise<number> {
  const { stateDir } = resolveCommon(opts);
  const records = await readActivities(stateDir, { limit: opts.limit ?? (opts.transcript ? 100_000 : 20), notDelivered: opts.dropped, probes: opts.probes });
  if (opts.transcript) {
    await writeFileAtomic(opts.transcript, toTranscript(records));
    out.write(`Wrote ${records.length} activities to ${opts.transcript} (open it in the Bot Framework Emulator).\n`);
    return 0;
  }
  if (opts.json) {
    out.write(`${JSON.stringify(records, null, 2)}\n`);
    return 0;
  }
  if (records.length === 0) {
    out.write(opts.dropped ? 'Nothing was dropped, rejected or failed.\n' : `No activities recorded in ${stateDir} yet.\n`);
    return 0;
  }
  out.write(table(['TIME', 'DIR', 'STATUS', 'FATE', 'REASON', 'TYPE', 'SENDER', 'TEXT'], records.map(row)));
  // The table marks a row with a warning (⚠ and its code); the sentences saying what to fix follow it.
  const warned = records.filter((r) => r.warnings?.length);
  if (warned.length) {
    out.write('\nWarnings:\n');
    for (const r of warned) {
      // The sentences quote what the bot answered (its JSON keys): one line each, control characters shown.
      for (const w of r.warnings!) out.write(`  ${r.time.replace('T', ' ').slice(0, 19)} ${oneLine(`${r.summary.name ?? r.summary.type ?? '-'}: ${w.code}: ${w.text}`)}\n`);
    }
  }
  return 0;
}

function row(r: ActivityRecord): string[] {
  const s = r.summary;
  return [
    r.time.replace('T', ' ').slice(0, 19),
    r.direction === 'inbound' ? 'in' : 'out',
    String(r.status),
    r.fate,
    r.reason + (r.pairingCode ? ` (${r.pairingCode})` : '') + (r.warnings?.length ? ` ⚠ ${r.warnings.map((w) => w.code).join(',')}` : ''),
    s.type ?? '-',
    s.senderName ?? s.senderId ?? '-',
    (s.text ?? '').slice(0, 40),
  ];
}
