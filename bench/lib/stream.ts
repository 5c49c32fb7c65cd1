/** Teams-shaped message activities for the load streams, deterministic for a given seed. */

export const APP_ID = 'bbbbbbbb-1111-2222-3333-444444444444';
export const TENANT_ID = '72f988bf-0000-4000-8000-000000000001';

export interface Sender {
  id: string;
  name: string;
  aadObjectId: string;
}

/** A small deterministic PRNG (mulberry32), so every run sends the same stream. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

export function makeSender(prefix: string, i: number, rand: () => number): Sender {
  const aad = `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-8${hex(rand, 3)}-${hex(rand, 12)}`;
  return { id: `29:1${prefix}${i}-${hex(rand, 40)}`, name: `${prefix === 'u' ? 'User' : 'Stranger'} ${i}`, aadObjectId: aad };
}

const WORDS = 'please deploy the staging build and tell me when the pipeline finished with the summary of failing tests from last night'.split(' ');

/** A personal-chat message as the Bot Connector posts it (≈1.1 KB of JSON). */
export function teamsMessage(i: number, sender: Sender, serviceUrl: string, rand: () => number): Record<string, unknown> {
  const words = 4 + Math.floor(rand() * 14);
  const text = Array.from({ length: words }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  const now = new Date(Date.UTC(2026, 0, 1, 9, 0, 0) + i * 1000).toISOString();
  return {
    text,
    textFormat: 'plain',
    attachments: [{ contentType: 'text/html', content: `<p>${text}</p>` }],
    type: 'message',
    timestamp: now,
    localTimestamp: now.replace('Z', '+01:00'),
    id: `17${String(1_000_000_000 + i)}${Math.floor(rand() * 1000)}`,
    channelId: 'msteams',
    serviceUrl,
    from: { id: sender.id, name: sender.name, aadObjectId: sender.aadObjectId },
    conversation: { conversationType: 'personal', tenantId: TENANT_ID, id: `a:1${sender.id.slice(4, 40)}` },
    recipient: { id: `28:${APP_ID}`, name: 'Bench Bot' },
    entities: [{ locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Berlin', type: 'clientInfo' }],
    channelData: { tenant: { id: TENANT_ID } },
    locale: 'en-US',
    localTimezone: 'Europe/Berlin',
  };
}

/** n messages from a fixed set of senders, round robin (the accepted stream). */
export function fixedSenderStream(n: number, senders: Sender[], serviceUrl: string, seed: number): string[] {
  const rand = prng(seed);
  return Array.from({ length: n }, (_, i) => JSON.stringify(teamsMessage(i, senders[i % senders.length], serviceUrl, rand)));
}

/**
 * n messages where every `newEvery`-th message comes from a sender never seen
 * before and the rest repeat a random earlier sender (the drop stream: many
 * distinct senders, most of them writing more than once).
 */
export function unpairedStream(n: number, prefix: string, newEvery: number, serviceUrl: string, seed: number): { bodies: string[]; distinct: number } {
  const rand = prng(seed);
  const senders: Sender[] = [];
  const bodies: string[] = [];
  for (let i = 0; i < n; i++) {
    let sender: Sender;
    if (i % newEvery === 0 || senders.length === 0) {
      sender = makeSender(prefix, senders.length, rand);
      senders.push(sender);
    } else {
      sender = senders[Math.floor(rand() * senders.length)];
    }
    bodies.push(JSON.stringify(teamsMessage(i, sender, serviceUrl, rand)));
  }
  return { bodies, distinct: senders.length };
}
