import {
  type ChatStreamEvent,
  type ErrorEvent,
  type FinishReason,
  type MetaEvent,
  parseChatStreamEvent,
  type SendMessageBody,
  type TokenUsage,
} from '@sluice/contracts';
import { createParser, type ParseError } from 'eventsource-parser';
import { ApiError, isAbortError } from '../api/api-error';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** One event of the browser stream, with its `id:` (a sequence number; the resume point). */
export type StreamedEvent = ChatStreamEvent & { id: string | undefined };

/** How a stream that started ended. HTTP failures before the stream are thrown as `ApiError` instead. */
export type StreamOutcome =
  /** The server's `done`. */
  | { type: 'done'; finishReason: FinishReason; usage: TokenUsage }
  /** The server's `error` event, or a stream this client could not read (`bad_response`). */
  | { type: 'failed'; error: ErrorEvent | { code: 'bad_response'; message: string; retryable: boolean } }
  /** The stream ended without `done` or `error`: the connection dropped, or went silent for too long. */
  | { type: 'interrupted'; reason: 'connection_lost' | 'ended_early' | 'stalled' }
  /** The caller aborted (the Stop button). */
  | { type: 'stopped' };

export interface ChatStreamResult {
  outcome: StreamOutcome;
  /** The text of every `delta` received, in order. */
  text: string;
  meta: MetaEvent | undefined;
  usage: TokenUsage | undefined;
  /** The `id:` of the last event received: send it as `Last-Event-ID` to resume where this one stopped. */
  lastEventId: string | undefined;
}

export interface ChatStreamRequest {
  url: string;
  body: SendMessageBody;
  /** Sent as `Authorization: Bearer`. */
  token: string | null;
  fetch: FetchLike;
  signal?: AbortSignal;
  /** Resume after this event (`Last-Event-ID`), for an API that supports it. */
  lastEventId?: string;
  /** Called for each event as it arrives, before the promise settles. */
  onEvent?: (event: StreamedEvent) => void;
  /**
   * No bytes at all (not even the keep-alive comment the API sends every 15 s) for this long means
   * the connection is dead even if TCP has not noticed: the stream ends as `interrupted`.
   */
  idleTimeoutMs?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 45_000;

class StallError extends Error {
  override readonly name = 'StallError';
}

/**
 * Sends a message and reads the answer's event stream (POST over `fetch`, so it can carry the bearer
 * token, which `EventSource` cannot). Resolves with how the stream ended; rejects with an `ApiError`
 * only when there is no stream at all (a JSON error answer, or no connection).
 */
export async function streamChat(request: ChatStreamRequest): Promise<ChatStreamResult> {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(request.signal?.reason);
  if (request.signal?.aborted) onCallerAbort();
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const result: ChatStreamResult = {
    outcome: { type: 'interrupted', reason: 'ended_early' },
    text: '',
    meta: undefined,
    usage: undefined,
    lastEventId: request.lastEventId,
  };
  const stopped = () => request.signal?.aborted === true;

  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const idleTimeoutMs = request.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => controller.abort(new StallError('no data')), idleTimeoutMs);
  };

  try {
    let response: Response;
    try {
      armIdleTimer();
      response = await request.fetch(request.url, {
        method: 'POST',
        headers: {
          accept: 'text/event-stream',
          'content-type': 'application/json',
          ...(request.token === null ? {} : { authorization: `Bearer ${request.token}` }),
          ...(request.lastEventId === undefined ? {} : { 'last-event-id': request.lastEventId }),
        },
        body: JSON.stringify(request.body),
        signal: controller.signal,
        cache: 'no-store',
      });
    } catch (error) {
      if (stopped()) return { ...result, outcome: { type: 'stopped' } };
      if (controller.signal.reason instanceof StallError) throw ApiError.network(controller.signal.reason);
      throw ApiError.network(error);
    }

    if (!response.ok) throw await ApiError.fromResponse(response);
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.startsWith('text/event-stream') || response.body === null) {
      throw new ApiError(
        'bad_response',
        `Expected an event stream, got ${contentType || 'no content type'}`,
        {
          status: response.status,
        },
      );
    }

    result.outcome = await readEvents(response.body, result, controller, request.onEvent, armIdleTimer);
    if (result.outcome.type === 'interrupted' && stopped()) result.outcome = { type: 'stopped' };
    return result;
  } finally {
    clearTimeout(idleTimer);
    request.signal?.removeEventListener('abort', onCallerAbort);
  }
}

async function readEvents(
  body: ReadableStream<Uint8Array>,
  result: ChatStreamResult,
  controller: AbortController,
  onEvent: ((event: StreamedEvent) => void) | undefined,
  onActivity: () => void,
): Promise<StreamOutcome> {
  let outcome: StreamOutcome | undefined;
  const fail = (message: string) => {
    outcome ??= { type: 'failed', error: { code: 'bad_response', message, retryable: true } };
  };

  const parser = createParser({
    onEvent(message) {
      if (outcome !== undefined) return;
      if (message.id !== undefined) result.lastEventId = message.id;
      let event: ChatStreamEvent | undefined;
      try {
        event = parseChatStreamEvent(message.event ?? 'message', message.data);
      } catch {
        fail(`The server sent an unreadable '${message.event ?? 'message'}' event`);
        return;
      }
      // An event this version does not know: newer servers may add some.
      if (event === undefined) return;
      switch (event.event) {
        case 'meta':
          result.meta = event.data;
          break;
        case 'delta':
          result.text += event.data.text;
          break;
        case 'queued':
          break;
        case 'usage':
          result.usage = event.data;
          break;
        case 'done':
          result.usage = event.data.usage;
          outcome = { type: 'done', finishReason: event.data.finishReason, usage: event.data.usage };
          break;
        case 'error':
          outcome = { type: 'failed', error: event.data };
          break;
      }
      onEvent?.({ ...event, id: message.id });
    },
    onError(error: ParseError) {
      // Unknown fields are ignored, as EventSource does; a runaway line is not.
      if (error.type === 'max-buffer-size-exceeded') fail('The server sent an event too large to read');
    },
  });

  const reader = body.getReader();
  const decoder = new TextDecoder();
  // Do not count on the fetch implementation to end the body on abort: cancel the read directly.
  const onAbort = () => void reader.cancel().catch(() => undefined);
  controller.signal.addEventListener('abort', onAbort, { once: true });
  const aborted = (): StreamOutcome =>
    controller.signal.reason instanceof StallError
      ? { type: 'interrupted', reason: 'stalled' }
      : { type: 'stopped' };
  try {
    while (outcome === undefined) {
      const { done, value } = await reader.read();
      if (controller.signal.aborted) return outcome ?? aborted();
      onActivity();
      if (done) {
        // An event cut before its blank line is dropped, as EventSource does: it may be incomplete.
        parser.feed(decoder.decode());
        break;
      }
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    if (controller.signal.aborted || isAbortError(error)) return outcome ?? aborted();
    return outcome ?? { type: 'interrupted', reason: 'connection_lost' };
  } finally {
    controller.signal.removeEventListener('abort', onAbort);
    // After `done` or `error` nothing more is wanted; after a drop, this releases the connection.
    reader.cancel().catch(() => undefined);
  }
  return outcome ?? { type: 'interrupted', reason: 'ended_early' };
}
