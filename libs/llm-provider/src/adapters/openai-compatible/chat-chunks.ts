import type OpenAI from 'openai';
import { SseDecoder, type SseEvent } from '../../codecs';
import { LlmError } from '../../contract';
import { describeErrorBody, inStreamError, type WireErrorContext } from './openai-wire-errors';

export type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/**
 * The chunks of a Chat Completions SSE body, read strictly (PROTOCOLS.md E): framing independent of
 * reads, comments skipped, `[DONE]` is not JSON, every event is checked for an error (`data:
 * {"error":…}` or `event: error`), an event that is not JSON is an error rather than skipped. After
 * `[DONE]` the rest of the body is drained, not destroyed, so the socket goes back to the pool.
 */
export async function* readChatChunks(
  body: AsyncIterable<Buffer>,
  context: WireErrorContext,
): AsyncGenerator<ChatChunk> {
  const decoder = new SseDecoder();
  let done = false;
  for await (const bytes of body) {
    if (done) continue;
    for (const event of decoder.push(bytes)) {
      if (event.data.startsWith('[DONE]')) {
        done = true;
        break;
      }
      yield toChunk(event, context);
    }
  }
  if (done) return;
  for (const event of decoder.end()) {
    if (event.data.startsWith('[DONE]')) return;
    yield toChunk(event, context);
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
