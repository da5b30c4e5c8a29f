import type OpenAI from 'openai';
import { SseDecoder, type SseEvent } from '../../codecs';
import { LlmError } from '../../contract';
import type { RawStreamEvent } from '../../stream';
import { SLUICE_STREAM_EVENTS } from '../shared/sluice-headers';
import { describeErrorBody, inStreamError, type WireErrorContext } from './openai-wire-errors';

export type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/** A Sluice gateway's own event (`SLUICE_STREAM_EVENTS`), in its place among the chunks. */
export interface GatewayEvent {
  gateway: Extract<RawStreamEvent, { type: 'queued' | 'start' }>;
}

export type ChatReadItem = ChatChunk | GatewayEvent;

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

  /** `gatewayEvents`: the server is a Sluice gateway asked for its own events. */
  constructor(
    private readonly context: WireErrorContext,
    private readonly gatewayEvents = false,
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
        if (this.gatewayEvents && event.event?.startsWith('sluice.')) {
          const item = toGatewayEvent(event, this.context);
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
  const data = parseJson(event, context);
  if (
    event.event === 'error' ||
    (typeof data === 'object' && data !== null && 'error' in data && data.error)
  ) {
    throw inStreamError(describeErrorBody(data), context);
  }
  return data as ChatChunk;
}

/** A gateway event; `undefined` for one this version does not know (a newer gateway's). */
function toGatewayEvent(event: SseEvent, context: WireErrorContext): GatewayEvent | undefined {
  const data = parseJson(event, context) as Record<string, unknown> | null;
  const { position, provider, model } = data ?? {};
  if (event.event === SLUICE_STREAM_EVENTS.queued) {
    if (typeof position !== 'number' || !Number.isInteger(position) || position < 1) {
      throw new LlmError('upstream', `${context.provider} sent a queue event without a position`, {
        provider: context.provider,
        url: context.url,
      });
    }
    return { gateway: { type: 'queued', provider: context.provider, position } };
  }
  if (event.event === SLUICE_STREAM_EVENTS.start) {
    if (typeof provider !== 'string' || typeof model !== 'string') {
      throw new LlmError('upstream', `${context.provider} sent a start event without provider and model`, {
        provider: context.provider,
        url: context.url,
      });
    }
    return { gateway: { type: 'start', provider, model, warnings: [] } };
  }
  return undefined;
}

function parseJson(event: SseEvent, context: WireErrorContext): unknown {
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
