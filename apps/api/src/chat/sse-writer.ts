import type { ServerResponse } from 'node:http';
import type { ChatStreamEvent, ChatStreamEventName } from '@sluice/contracts';
import { encodeSse, encodeSseComment } from '@sluice/llm-provider';

type DataOf<K extends ChatStreamEventName> = Extract<ChatStreamEvent, { event: K }>['data'];

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

/**
 * Writes the browser stream on the raw response: each event gets the next `id:` (so a client can
 * report `Last-Event-ID`), writes wait for `drain` when the socket is backed up, and nothing is
 * written once the client is gone.
 */
export class SseWriter {
  private seq = 0;

  constructor(private readonly res: ServerResponse) {}

  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  /** The `id:` of the last event written. */
  get lastId(): number {
    return this.seq;
  }

  event<K extends ChatStreamEventName>(name: K, data: DataOf<K>): Promise<void> {
    if (!this.open) return Promise.resolve();
    this.seq += 1;
    return this.write(encodeSse({ event: name, id: this.seq, data: JSON.stringify(data) }));
  }

  /** A comment line: parsers skip it; proxies see traffic on an idle stream. */
  comment(text: string): void {
    // Skipped when the socket is backed up: data is flowing anyway.
    if (this.open && !this.res.writableNeedDrain) this.res.write(encodeSseComment(text));
  }

  end(): void {
    if (this.open) this.res.end();
  }

  private write(chunk: string): Promise<void> {
    if (this.res.write(chunk)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.once('drain', done);
      this.res.once('close', done);
    });
  }
}
