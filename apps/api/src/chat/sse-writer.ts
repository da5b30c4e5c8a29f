import type { ServerResponse } from 'node:http';
import type { ChatStreamEvent, ChatStreamEventName } from '@sluice/contracts';
import { SseResponse } from '@sluice/llm-provider';

type DataOf<K extends ChatStreamEventName> = Extract<ChatStreamEvent, { event: K }>['data'];

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

/**
 * Writes the browser stream once its headers are out: each event gets the next `id:` (so a client
 * can report `Last-Event-ID`); backpressure, a gone client and the keep-alive comment after
 * `keepAliveMs` without a write are the shared `SseResponse`'s.
 */
export class SseWriter {
  private seq = 0;
  private readonly sse: SseResponse;

  constructor(res: ServerResponse, keepAliveMs: number) {
    this.sse = new SseResponse(res);
    this.sse.keepAlive(keepAliveMs);
  }

  get open(): boolean {
    return this.sse.open;
  }

  event<K extends ChatStreamEventName>(name: K, data: DataOf<K>): Promise<void> {
    if (!this.sse.open) return Promise.resolve();
    this.seq += 1;
    return this.sse.send({ event: name, id: this.seq, data: JSON.stringify(data) });
  }

  end(): void {
    if (this.sse.open) this.sse.end();
  }
}
