import { randomInt } from 'node:crypto';

/**
 * Codes are read aloud, typed on phones and copied from Teams messages, so the
 * alphabet leaves out characters people confuse: 0/O and 1/I/L.
 */
export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const PAIRING_CODE_LENGTH = 8;

/** A fresh code not in `taken`. 31^8 ≈ 8.5e11 codes, so the loop practically runs once. */
export function generatePairingCode(taken: ReadonlySet<string> = new Set()): string {
  for (;;) {
    let code = '';
    for (let i = 0; i < PAIRING_CODE_LENGTH; i++) {
      code += PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)];
    }
    if (!taken.has(code)) return code;
  }
}

/**
 * The canonical form used for lookups: people type "abcd-efgh" or "ABCD EFGH"
 * as often as the raw code.
 */
export function normalizePairingCode(input: string): string {
  // Unicode dashes too: chat clients and word processors turn "-" into them.
  return input.replace(/[\s\-\u2010-\u2015\u2212]/g, '').toUpperCase();
}

/** "ABCDEFGH" → "ABCD-EFGH", easier to read in a chat message; lookups accept both. */
export function formatPairingCode(code: string): string {
  const c = normalizePairingCode(code);
  return c.length === PAIRING_CODE_LENGTH ? `${c.slice(0, 4)}-${c.slice(4)}` : c;
}
