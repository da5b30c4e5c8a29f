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
 * Writes the browser stream: each event gets the next `id:` (so a client can report `Last-Event-ID`);
 * backpressure and a gone client are the shared `SseResponse`'s.
 */
export class SseWriter {
  private seq = 0;
  private readonly sse: SseResponse;

  constructor(res: ServerResponse) {
    this.sse = new SseResponse(res);
  }

  get open(): boolean {
    return this.sse.open;
  }

  /** The `id:` of the last event written. */
  get lastId(): number {
    return this.seq;
  }

  event<K extends ChatStreamEventName>(name: K, data: DataOf<K>): Promise<void> {
    if (!this.sse.open) return Promise.resolve();
    this.seq += 1;
    return this.sse.send({ event: name, id: this.seq, data: JSON.stringify(data) });
  }

  /** A comment line: parsers skip it; proxies see traffic on an idle stream. */
  comment(text: string): void {
    this.sse.comment(text);
  }

  end(): void {
    if (this.sse.open) this.sse.end();
  }
}
