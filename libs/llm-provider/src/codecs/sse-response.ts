import type { ServerResponse } from 'node:http';
import { encodeSse, encodeSseComment, type SseFrame } from './sse';

const SENT = Promise.resolve();

/**
 * An SSE stream on a raw Node response, as both apps write theirs: nothing is written once the client
 * is gone, and a write waits for `drain` when the socket is backed up, so a slow client slows the
 * upstream read instead of growing our memory.
 */
export class SseResponse {
  constructor(private readonly res: ServerResponse) {}

  /** The client is still there and the response not ended. */
  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  /** Writes one event; resolves once the socket takes more, or the client has gone. */
  send(frame: SseFrame): Promise<void> {
    return this.write(frame) ? SENT : this.drained();
  }

  /**
   * Writes one event without waiting: `true` when the socket takes more at once; `false` when it is
   * backed up (wait for `drained()`) or the client has gone (nothing written).
   */
  write(frame: SseFrame): boolean {
    return this.open && this.res.write(encodeSse(frame));
  }

  /** Resolves once the socket takes more, or the client has gone. */
  drained(): Promise<void> {
    if (!this.open || !this.res.writableNeedDrain) return SENT;
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** A comment line (parsers skip it), skipped when the socket is backed up: data is flowing anyway. */
  comment(text: string): void {
    if (this.open && !this.res.writableNeedDrain) this.res.write(encodeSseComment(text));
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  /**
   * Ends the stream abnormally: what was written goes out, then the connection closes without the
   * chunked body's last chunk, so every client sees a failed response rather than a complete one
   * (after an in-stream error event, for clients that read only the text).
   */
  abort(): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    const socket = this.res.socket;
    // `end()` on the socket sends what is queued, then closes; destroying it would drop that.
    if (socket) socket.end();
    else this.res.destroy();
  }
}
