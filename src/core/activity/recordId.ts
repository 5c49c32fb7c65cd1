/**
 * Activity record ids: 10 characters of millisecond time, 4 of a per-millisecond
 * sequence and 4 random, all in Crockford base32 (whose digits sort in ASCII
 * order). So ids sort as strings in the order they were made, which lets the
 * log page with "before=<id>" and binary-search its ring, and they stay unique
 * when thousands arrive in one millisecond.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LEN = 10;
const SEQ_LEN = 4;
const RAND_LEN = 4;
const SEQ_MAX = 32 ** SEQ_LEN - 1;

export class RecordIdGenerator {
  private lastMs = 0;
  private seq = 0;

  /**
   * Ids never go backwards, even when the wall clock does (NTP step, a
   * restart on a machine whose clock is behind the log): the time part then
   * stays at the last one used and the sequence carries on.
   */
  next(nowMs: number = Date.now()): string {
    if (nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.seq = 0;
    } else if (this.seq < SEQ_MAX) {
      this.seq++;
    } else {
      // A million ids in one millisecond: borrow the next millisecond.
      this.lastMs++;
      this.seq = 0;
    }
    return encode(this.lastMs, TIME_LEN) + encode(this.seq, SEQ_LEN) + randomPart();
  }

  /** Continue after an id read back from disk, so new ids sort after it. */
  advancePast(id: string): void {
    const ms = recordIdTime(id);
    if (ms === undefined) return;
    const seq = decode(id.slice(TIME_LEN, TIME_LEN + SEQ_LEN));
    if (ms > this.lastMs || (ms === this.lastMs && seq !== undefined && seq > this.seq)) {
      this.lastMs = ms;
      this.seq = seq ?? SEQ_MAX;
    }
  }
}

/** The millisecond timestamp an id was made at, or undefined for something that is not an id. */
export function recordIdTime(id: string): number | undefined {
  if (id.length !== TIME_LEN + SEQ_LEN + RAND_LEN) return undefined;
  return decode(id.slice(0, TIME_LEN));
}

function encode(n: number, len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) {
    out = ALPHABET[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

function decode(s: string): number | undefined {
  let n = 0;
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    n = n * 32 + v;
  }
  return n;
}

/** Uniqueness comes from time + sequence; the random tail only tells apart ids made by two processes in the same millisecond, so Math.random suffices. */
function randomPart(): string {
  return encode(Math.floor(Math.random() * 32 ** RAND_LEN), RAND_LEN);
}
