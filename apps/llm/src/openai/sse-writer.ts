import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { encodeSse, encodeSseComment } from '@sluice/llm-provider';

/**
 * Writes one SSE response on the raw Node response (after Fastify's `reply.hijack()`): it waits for
 * `drain` when the socket's buffer is full, so a slow client slows the upstream read instead of
 * growing our memory, and sends a `: keep-alive` comment after `keepAliveMs` without a write.
 */
export class SseWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly keepAliveMs: number,
  ) {
    res.once('close', () => this.clearTimer());
  }

  /** The client is still there and the response not ended. */
  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  start(headers: OutgoingHttpHeaders): void {
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    this.res.flushHeaders();
    this.lastWriteAt = Date.now();
    this.arm();
  }

  /** One `data: <json>` event; resolves `false` when the client has gone. */
  json(value: unknown): Promise<boolean> {
    return this.write(encodeSse({ data: JSON.stringify(value) }));
  }

  done(): Promise<boolean> {
    return this.write(encodeSse({ data: '[DONE]' }));
  }

  end(): void {
    this.clearTimer();
    if (!this.res.writableEnded) this.res.end();
  }

  private async write(text: string): Promise<boolean> {
    if (!this.open) return false;
    // The keep-alive timer checks this when it fires: no timer churn per token.
    this.lastWriteAt = Date.now();
    if (!this.res.write(text)) await this.drained();
    return this.open;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const settle = () => {
        this.res.off('drain', settle);
        this.res.off('close', settle);
        resolve();
      };
      this.res.on('drain', settle);
      this.res.on('close', settle);
    });
  }

  private arm(delayMs = this.keepAliveMs): void {
    this.clearTimer();
    this.timer = setTimeout(() => this.keepAlive(), delayMs);
    this.timer.unref();
  }

  private keepAlive(): void {
    this.timer = undefined;
    if (!this.open) return;
    const quietFor = Date.now() - this.lastWriteAt;
    if (quietFor < this.keepAliveMs) {
      this.arm(this.keepAliveMs - quietFor);
      return;
    }
    // A full buffer already tells the proxy the connection is busy; adding to it helps nobody.
    if (!this.res.writableNeedDrain) this.res.write(encodeSseComment('keep-alive'));
    this.arm();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
