import type OpenAI from 'openai';
import { SseDecoder, type SseEvent } from '../../codecs';
import { LlmError } from '../../contract';
import { describeErrorBody, inStreamError, type WireErrorContext } from './openai-wire-errors';

export type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/**
 * The chunks of a Chat Completions SSE body, read strictly (PROTOCOLS.md E): framing independent of
 * reads, comments skipped, `[DONE]` is not JSON, every event is checked for an error (`data:
 * {"error":…}` or `event: error`), an event that is not JSON is an error rather than skipped. Fed
 * chunk by chunk (no async layer of its own: this runs for every token a gateway carries); the
 * caller keeps reading after `done` so the socket goes back to the pool.
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

  constructor(private readonly context: WireErrorContext) {}

  push(bytes: Uint8Array): ChatChunk[] {
    return this.done || this.failure ? [] : this.take(this.decoder.push(bytes));
  }

  /** At EOF: the last event, when it had no blank line after it. */
  end(): ChatChunk[] {
    return this.done || this.failure ? [] : this.take(this.decoder.end());
  }

  private take(events: SseEvent[]): ChatChunk[] {
    const chunks: ChatChunk[] = [];
    for (const event of events) {
      if (event.data.startsWith('[DONE]')) {
        this.done = true;
        break;
      }
      try {
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
  let data: unknown;
  try {
    data = JSON.parse(event.data);
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
  if (
    event.event === 'error' ||
    (typeof data === 'object' && data !== null && 'error' in data && data.error)
  ) {
    throw inStreamError(describeErrorBody(data), context);
  }
  return data as ChatChunk;
}
