import type OpenAI from 'openai';
import { SseDecoder, type SseEvent } from '../../codecs';
import { LlmError } from '../../contract';
import type { RawStreamEvent } from '../../stream';
import { describeErrorBody, inStreamError, type WireErrorContext } from './openai-wire-errors';

export type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/** An event a server sends beside the chunks (`ExtraEvents`), already a contract event, in its place. */
export interface ExtraEvent {
  extra: Extract<RawStreamEvent, { type: 'queued' | 'start' }>;
}

export type ChatReadItem = ChatChunk | ExtraEvent;

/** A server's own named events among the chunks (a Sluice gateway's `sluice.*`). */
export interface ExtraEvents {
  /** Is this event one of them, rather than a chunk? */
  owns(event: SseEvent): boolean;
  /** Reads one: `undefined` skips it (one a newer server added); a malformed one throws an LlmError. */
  read(event: SseEvent, context: WireErrorContext): ExtraEvent | undefined;
}

/**
 * The chunks of a Chat Completions SSE body, read strictly (docs/wire-formats.md#openai-reading):
 * framing independent of reads, comments skipped, `[DONE]` is not JSON, every event is checked for an
 * error (`data: {"error":…}` or `event: error`), an event that is not JSON is an error rather than
 * skipped. Fed chunk by chunk (no async layer of its own: this runs for every token a gateway
 * carries); the caller keeps reading after `done` so the socket goes back to the pool.
 */
export class ChatChunkReader {
  private readonly decoder = new SseDecoder();
  /** `[DONE]` has been read: anything after it is ignored. */
  done = false;
  /**
   * What ended the stream (an error event, an event that is not JSON): the chunks before it are
   * returned first, so the caller delivers them and then throws this.
   */
  failure: LlmError | undefined;

  constructor(
    private readonly context: WireErrorContext,
    private readonly extraEvents?: ExtraEvents,
  ) {}

  push(bytes: Uint8Array): ChatReadItem[] {
    return this.done || this.failure ? [] : this.take(this.decoder.push(bytes));
  }

  /** At EOF: the last event, when it had no blank line after it. */
  end(): ChatReadItem[] {
    return this.done || this.failure ? [] : this.take(this.decoder.end());
  }

  private take(events: SseEvent[]): ChatReadItem[] {
    const chunks: ChatReadItem[] = [];
    for (const event of events) {
      if (event.data.startsWith('[DONE]')) {
        this.done = true;
        break;
      }
      try {
        if (this.extraEvents?.owns(event)) {
          const item = this.extraEvents.read(event, this.context);
          if (item) chunks.push(item);
          continue;
        }
        chunks.push(toChunk(event, this.context));
      } catch (error) {
        this.failure = error as LlmError;
        break;
      }
    }
    return chunks;
  }
}

function toChunk(event: SseEvent, context: WireErrorContext): ChatChunk {
  const data = parseEventJson(event, context);
  if (
    event.event === 'error' ||
    (typeof data === 'object' && data !== null && 'error' in data && data.error)
  ) {
    throw inStreamError(describeErrorBody(data), context);
  }
  return data as ChatChunk;
}

/** An event's data as JSON; an LlmError when it is not. */
export function parseEventJson(event: SseEvent, context: WireErrorContext): unknown {
  try {
    return JSON.parse(event.data);
  } catch (error) {
    throw new LlmError(
      'upstream',
      `${context.provider} sent an event that is not JSON: ${event.data.slice(0, 120)}`,
      {
        provider: context.provider,
        url: context.url,
        cause: error,
      },
    );
  }
}
