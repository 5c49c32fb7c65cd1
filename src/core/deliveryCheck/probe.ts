import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Source } from '../activity/activityRecord';
import { formatSeconds } from '../process/processErrors';

/**
 * The Delivery Check's probe: a POST to the webhook path carrying this header
 * proves a request reaches the webhook (directly, or through the tunnel's
 * public URL) without pretending to be Teams. The pipeline recognises it
 * before anything else, answers it itself with the nonce and never hands it
 * to the bot, the policy or pairing: a probe can only ever learn that a
 * teams-bot-dev webhook is there, which its answer headers say anyway.
 */
export const PROBE_HEADER = 'x-teams-bot-dev-probe';

/** A nonce is echoed back, so only a short, plain token is accepted (nothing to reflect into a page or a log). */
const NONCE = /^[A-Za-z0-9_-]{8,64}$/;

/** How many probe records the gateway stores per minute; probes beyond it are answered but not recorded. */
export const PROBE_RECORDS_PER_MINUTE = 10;

/** What the gateway answers a probe with (HTTP 200). */
export interface ProbeAnswer {
  status: 'probe';
  probe: string;
  /** How the gateway classified the request: "tunnel" means it carried proxy headers. */
  source: Source;
  /** X-Forwarded-Host as it arrived (the tunnel's public host name), when there was one. */
  forwardedHost?: string;
  /** False when the per-minute budget of probe records was spent: answered, not stored. */
  recorded: boolean;
}

export function newProbeNonce(): string {
  return randomBytes(16).toString('hex');
}

/** undefined: not a probe. `{ nonce }`: a probe, with its nonce when the header holds a valid one. */
export function probeOf(headers: IncomingHttpHeaders): { nonce?: string } | undefined {
  const raw = headers[PROBE_HEADER];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  return NONCE.test(value) ? { nonce: value } : {};
}

/** The text that identifies a probe's record: the Delivery Check searches the activity log for it. */
export function probeDetail(nonce: string, source: Source, forwardedHost: string | undefined): string {
  const how = source === 'tunnel' ? `through a tunnel or proxy${forwardedHost ? ` (X-Forwarded-Host ${forwardedHost})` : ''}` : `from ${source === 'loopback' ? 'this machine' : `a ${source} client`}`;
  return `Delivery Check probe ${nonce} arrived ${how}; answered by the gateway, never forwarded to the bot`;
}

/** At most `perMinute` takes in any rolling minute: the bound on the records a flood of probes can add. */
export class ProbeRecordBudget {
  private readonly taken: number[] = [];

  constructor(private readonly perMinute = PROBE_RECORDS_PER_MINUTE, private readonly now: () => number = Date.now) {}

  take(): boolean {
    const t = this.now();
    while (this.taken.length > 0 && t - this.taken[0] >= 60_000) this.taken.shift();
    if (this.taken.length >= this.perMinute) return false;
    this.taken.push(t);
    return true;
  }
}

export type ProbeReply =
  | { kind: 'answered'; answer: ProbeAnswer; status: number }
  /** Something answered, but not a teams-bot-dev webhook echoing our nonce. */
  | { kind: 'other'; status: number; fate?: string; reason?: string; body: string }
  | { kind: 'unreachable'; code?: string; message: string };

/**
 * POSTs a probe to `url` and reads the answer. `X-Tunnel-Skip-AntiPhishing-Page`
 * is what Dev Tunnels documents for non-browser clients of anonymous tunnels;
 * without it a browser-like client could get the warning page instead.
 */
export function sendProbe(url: string, nonce: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ProbeReply> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const body = Buffer.from('{}');
  return new Promise((resolve) => {
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          [PROBE_HEADER]: nonce,
          'x-tunnel-skip-antiphishing-page': 'true',
          'user-agent': 'teams-bot-dev-delivery-check',
        },
        timeout: opts.timeoutMs ?? 10_000,
        signal: opts.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 64 * 1024) chunks.push(c);
        });
        res.on('error', (err) => resolve({ kind: 'unreachable', code: (err as NodeJS.ErrnoException).code, message: err.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          const answer = parseAnswer(text);
          if (answer && answer.probe === nonce) return resolve({ kind: 'answered', answer, status });
          const header = (name: string) => {
            const v = res.headers[name];
            return Array.isArray(v) ? v[0] : v;
          };
          resolve({ kind: 'other', status, fate: header('x-teams-bot-dev-fate'), reason: header('x-teams-bot-dev-reason'), body: text.replace(/\s+/g, ' ').trim().slice(0, 300) });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${formatSeconds(opts.timeoutMs ?? 10_000)}`), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => resolve({ kind: 'unreachable', code: (err as NodeJS.ErrnoException).code, message: err.message }));
    req.end(body);
  });
}

function parseAnswer(text: string): ProbeAnswer | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && (v as ProbeAnswer).status === 'probe' && typeof (v as ProbeAnswer).probe === 'string') return v as ProbeAnswer;
  } catch {
    /* not our answer */
  }
  return undefined;
}
