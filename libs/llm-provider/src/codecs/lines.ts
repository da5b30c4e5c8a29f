/**
 * Splits a byte stream into lines however the bytes were cut: a read may end inside a line or
 * inside a multi-byte UTF-8 character. Accepts `\n`, `\r\n` and a bare `\r` (SSE allows all three).
 */
export class LineDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  /** A `\r` ended the previous chunk: a `\n` opening the next one belongs to it. */
  private pendingCr = false;

  push(chunk: Uint8Array | string): string[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    return this.takeLines();
  }

  /** Call once at EOF: returns the last line when it had no line break. */
  end(): string[] {
    this.buffer += this.decoder.decode();
    const lines = this.takeLines();
    if (this.buffer !== '') lines.push(this.buffer);
    this.buffer = '';
    return lines;
  }

  private takeLines(): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      lines.push(this.buffer.slice(start, i));
      if (ch === 13) {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return lines;
  }
}
