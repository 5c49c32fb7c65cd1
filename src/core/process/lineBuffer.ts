/**
 * Turns a stream of text chunks into whole lines. Pipes deliver output in
 * arbitrary pieces, so a line (or a CRLF pair) may arrive split across chunks;
 * nothing is reported until its terminator has been seen.
 */
export class LineBuffer {
  private pending = '';

  /** Adds a chunk and returns the lines it completed, without terminators. */
  push(chunk: string): string[] {
    this.pending += chunk;
    let end = this.pending.length;
    // A trailing CR may be the first half of a CRLF still in flight.
    if (this.pending.endsWith('\r')) end -= 1;
    const lastBreak = Math.max(this.pending.lastIndexOf('\n', end - 1), this.pending.lastIndexOf('\r', end - 1));
    if (lastBreak < 0) return [];
    const complete = this.pending.slice(0, lastBreak + 1);
    this.pending = this.pending.slice(lastBreak + 1);
    const lines = complete.split(/\r\n|\r|\n/);
    lines.pop(); // the empty string after the final terminator
    return lines;
  }

  /** Returns whatever is left once the stream has ended (a last line without a newline). */
  flush(): string[] {
    const rest = this.pending.replace(/\r$/, '');
    this.pending = '';
    return rest.length > 0 ? [rest] : [];
  }
}
