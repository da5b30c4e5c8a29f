import type { ServerResponse } from 'node:http';
import { encodeSse, encodeSseComment, type SseFrame } from './sse';

const SENT = Promise.resolve();

/**
 * An SSE stream on a raw Node response, as both apps write theirs: nothing is written once the client
 * is gone, a write waits for `drain` when the socket is backed up, so a slow client slows the
 * upstream read instead of growing our memory, and `keepAlive()` keeps an idle stream open.
 */
export class SseResponse {
  private keepAliveMs = 0;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private lastWriteAt = 0;

  constructor(private readonly res: ServerResponse) {}

  /**
   * From now on (the headers are out) a `: keep-alive` comment goes out whenever the stream has been
   * quiet for `quietMs`, so proxies do not time an idle stream out. A write only notes the time; the
   * one timer checks it when it fires, so there is no timer churn per token.
   */
  keepAlive(quietMs: number): void {
    this.keepAliveMs = quietMs;
    this.lastWriteAt = Date.now();
    this.res.once('close', () => this.stopKeepAlive());
    this.armKeepAlive(quietMs);
  }

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
    if (!this.open) return false;
    this.lastWriteAt = Date.now();
    return this.res.write(encodeSse(frame));
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
    this.stopKeepAlive();
    if (!this.res.writableEnded) this.res.end();
  }

  /**
   * Ends the stream abnormally: what was written goes out, then the connection closes without the
   * chunked body's last chunk, so every client sees a failed response rather than a complete one
   * (after an in-stream error event, for clients that read only the text).
   */
  abort(): void {
    this.stopKeepAlive();
    if (this.res.writableEnded || this.res.destroyed) return;
    const socket = this.res.socket;
    // `end()` on the socket sends what is queued, then closes; destroying it would drop that.
    if (socket) socket.end();
    else this.res.destroy();
  }

  private armKeepAlive(delayMs: number): void {
    this.keepAliveTimer = setTimeout(() => this.keepAliveDue(), delayMs);
    this.keepAliveTimer.unref();
  }

  private keepAliveDue(): void {
    if (!this.open) return;
    const quietFor = Date.now() - this.lastWriteAt;
    if (quietFor < this.keepAliveMs) return this.armKeepAlive(this.keepAliveMs - quietFor);
    this.comment('keep-alive');
    this.armKeepAlive(this.keepAliveMs);
  }

  private stopKeepAlive(): void {
    clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }
}
