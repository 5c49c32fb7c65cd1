/**
 * Message text as a person reads it in one line: Teams sends mentions as
 * `<at>Bot</at>` and may send HTML, which in a tree row or a tooltip is noise
 * (`<at>Bot</at> hi channel` reads as `@Bot hi channel`). Only for display:
 * records and transcripts keep the text exactly as it arrived.
 */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function displayText(html: string): string {
  const text = html
    .replace(/<at\b[^>]*>([\s\S]*?)<\/at>/gi, (_, name: string) => `@${name.trim()}`)
    // Block-level breaks become spaces so words on two lines do not run together.
    .replace(/<(br|\/p|\/div|\/li)\b[^>]*>/gi, ' ')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
  return oneLine(text);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Text that someone else wrote (a sender's name, a bot's JSON keys, a tool's
 * answer) as one line for a terminal, a row or a tooltip: runs of whitespace
 * become one space, and any other control character is shown as \uXXXX. An
 * escape sequence (ESC or C1 CSI) would otherwise recolour, move or clear the
 * developer's terminal, and a newline could forge a line of output.
 */
export function oneLine(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .trim();
}

/** "the notice was not sent" → "The notice was not sent": a detail clause opening a sentence of its own. */
export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
