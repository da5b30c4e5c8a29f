import { LineDecoder } from './lines';

export interface SseEvent {
  /** `event:` field; `message` when absent. */
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

/**
 * A spec-conforming Server-Sent Events parser (WHATWG "event stream interpretation"): comment lines
 * are skipped, several `data:` lines join with `\n`, one leading space after the colon is dropped,
 * an event is dispatched on a blank line, and an unfinished event at EOF is discarded.
 */
export class SseDecoder {
  private readonly lines = new LineDecoder();
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private retry: number | undefined;
  lastEventId: string | undefined;

  push(chunk: Uint8Array | string): SseEvent[] {
    return this.feed(this.lines.push(chunk));
  }

  end(): SseEvent[] {
    const events = this.feed(this.lines.end());
    this.data = [];
    this.event = '';
    return events;
  }

  private feed(lines: string[]): SseEvent[] {
    const events: SseEvent[] = [];
    for (const line of lines) {
      if (line === '') {
        const dispatched = this.dispatch();
        if (dispatched) events.push(dispatched);
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      switch (field) {
        case 'data':
          this.data.push(value);
          break;
        case 'event':
          this.event = value;
          break;
        case 'id':
          if (!value.includes('\0')) this.id = value;
          break;
        case 'retry':
          if (/^\d+$/.test(value)) this.retry = Number(value);
          break;
        default:
          break;
      }
    }
    return events;
  }

  private dispatch(): SseEvent | undefined {
    if (this.id !== undefined) this.lastEventId = this.id;
    if (this.data.length === 0) {
      this.event = '';
      return undefined;
    }
    const event: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
    if (this.id !== undefined) event.id = this.id;
    if (this.retry !== undefined) event.retry = this.retry;
    this.data = [];
    this.event = '';
    this.id = undefined;
    this.retry = undefined;
    return event;
  }
}

/** Reads every SSE event from a byte stream (a fetch body, a Node response). */
export async function* readSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const decoder = new SseDecoder();
  for await (const chunk of body) yield* decoder.push(chunk);
  yield* decoder.end();
}

export interface SseFrame {
  event?: string;
  id?: string | number;
  retry?: number;
  /** Written as one `data:` line per line of the text. */
  data: string;
}

/** Encodes one SSE event; multi-line data becomes several `data:` lines, so it survives any parser. */
export function encodeSse(frame: SseFrame): string {
  let out = '';
  if (frame.event !== undefined) out += `event: ${frame.event}\n`;
  if (frame.id !== undefined) out += `id: ${frame.id}\n`;
  if (frame.retry !== undefined) out += `retry: ${frame.retry}\n`;
  const data = frame.data;
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) return `${out}data: ${data}\n\n`;
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: ignored by parsers, keeps proxies from closing an idle stream. */
export function encodeSseComment(text = ''): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}
