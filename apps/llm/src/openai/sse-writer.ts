import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { SseResponse } from '@sluice/llm-provider';

const WRITTEN = Promise.resolve(true);
const CLIENT_GONE = Promise.resolve(false);

/**
 * Writes one OpenAI SSE response on the raw Node response (after Fastify's `reply.hijack()`);
 * backpressure, a gone client and the keep-alive comment after `keepAliveMs` without a write are the
 * shared `SseResponse`'s.
 */
export class SseWriter {
  private readonly sse: SseResponse;

  constructor(
    private readonly res: ServerResponse,
    private readonly keepAliveMs: number,
  ) {
    this.sse = new SseResponse(res);
  }

  /** The client is still there and the response not ended. */
  get open(): boolean {
    return this.sse.open;
  }

  start(headers: OutgoingHttpHeaders): void {
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    // No flushHeaders(): the first event follows in the same tick and goes out in the same packet.
    this.sse.keepAlive(this.keepAliveMs);
  }

  /** One `data: <json>` event from a value; resolves `false` when the client has gone. */
  json(value: unknown): Promise<boolean> {
    return this.write(JSON.stringify(value));
  }

  /** One `data:` event from JSON text already built (ChunkBuilder); resolves `false` when the client has gone. */
  data(json: string): Promise<boolean> {
    return this.write(json);
  }

  /** One named event (`event: <name>`) from a value; resolves `false` when the client has gone. */
  event(name: string, value: unknown): Promise<boolean> {
    return this.write(JSON.stringify(value), name);
  }

  done(): Promise<boolean> {
    return this.write('[DONE]');
  }

  end(): void {
    this.sse.end();
  }

  /** Ends the response without its closing chunk, once what was written has gone out (see SseResponse). */
  abort(): void {
    this.sse.abort();
  }

  private write(data: string, event?: string): Promise<boolean> {
    if (!this.open) return CLIENT_GONE;
    if (this.sse.write(event === undefined ? { data } : { event, data })) return WRITTEN;
    return this.sse.drained().then(() => this.open);
  }
}
