import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/api-error';
import { defined } from '../test-support/fake-api';
import {
  answer,
  chunkedBody,
  controlledBody,
  encoder,
  errorResponse,
  jsonResponse,
  META,
  sse,
  streamResponse,
} from '../test-support/sse';
import { type ChatStreamRequest, type StreamedEvent, streamChat } from './chat-stream';

function request(response: Response | (() => Promise<Response>), extra: Partial<ChatStreamRequest> = {}) {
  const events: StreamedEvent[] = [];
  const fetch = vi.fn((_url: string, init: RequestInit) => {
    if (typeof response !== 'function') return Promise.resolve(response);
    // Like the real fetch: an abort before the answer rejects it.
    return new Promise<Response>((resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      response().then(resolve, reject);
    });
  });
  const req: ChatStreamRequest = {
    url: '/api/conversations/c1/messages',
    body: { content: 'Hi' },
    token: 'tok',
    fetch,
    onEvent: (event) => events.push(event),
    ...extra,
  };
  return { req, events, fetch };
}

/** Splits a string's UTF-8 bytes at the given offsets. */
function splitBytes(text: string, every: number): Uint8Array[] {
  const bytes = encoder.encode(text);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += every) chunks.push(bytes.slice(at, at + every));
  return chunks;
}

describe('streamChat', () => {
  it('POSTs the message with the bearer token and reads meta, deltas, usage and done', async () => {
    const { req, events, fetch } = request(streamResponse(answer(['Hello', ',', ' world'])));
    const result = await streamChat(req);

    const [url, init] = defined(fetch.mock.calls[0]);
    expect(url).toBe('/api/conversations/c1/messages');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({
      authorization: 'Bearer tok',
      accept: 'text/event-stream',
      'content-type': 'application/json',
    });
    expect(init.body).toBe('{"content":"Hi"}');

    expect(events.map((event) => event.event)).toEqual(['meta', 'delta', 'delta', 'delta', 'usage', 'done']);
    expect(events.map((event) => event.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(result.text).toBe('Hello, world');
    expect(result.meta).toEqual(META);
    expect(result.lastEventId).toBe('6');
    expect(result.outcome).toEqual({
      type: 'done',
      finishReason: 'stop',
      usage: { promptTokens: 12, completionTokens: 3 },
    });
  });

  it.each([1, 2, 3, 5, 7, 13])(
    'reads the same events when the bytes arrive in chunks of %i',
    async (size) => {
      // Multi-byte characters too: a chunk may end in the middle of one.
      const body = answer(['Grüße', ' 👋🏽', ' 日本語', '\n```ts\nconst x = 1;\n```']);
      const { req } = request(streamResponse(chunkedBody(splitBytes(body, size))));
      const result = await streamChat(req);
      expect(result.text).toBe('Grüße 👋🏽 日本語\n```ts\nconst x = 1;\n```');
      expect(result.outcome.type).toBe('done');
    },
  );

  it('handles CRLF line endings and multi-line data fields', async () => {
    const body =
      'id: 1\r\nevent: meta\r\ndata: ' +
      JSON.stringify(META) +
      '\r\n\r\nid: 2\r\nevent: delta\r\ndata: {"text":\r\ndata: "two lines"}\r\n\r\n' +
      'id: 3\r\nevent: done\r\ndata: {"finishReason":"stop","usage":{}}\r\n\r\n';
    const { req } = request(streamResponse(body));
    const result = await streamChat(req);
    // The two data lines join with a newline, which is valid JSON whitespace.
    expect(result.text).toBe('two lines');
    expect(result.outcome.type).toBe('done');
  });

  it('skips keep-alive comments and events it does not know', async () => {
    const body = [
      ': keep-alive\n\n',
      sse('meta', META, 1),
      ':keep-alive\n',
      sse('delta', { text: 'a' }, 2),
      sse('tool-call', { name: 'x' }, 3),
      ': keep-alive\n\n',
      sse('delta', { text: 'b' }, 4),
      sse('done', { finishReason: 'stop', usage: {} }, 5),
    ].join('');
    const { req, events } = request(streamResponse(body));
    const result = await streamChat(req);
    expect(result.text).toBe('ab');
    expect(events.map((event) => event.event)).toEqual(['meta', 'delta', 'delta', 'done']);
    expect(result.lastEventId).toBe('5');
  });

  it('ends with the server error event, keeping the text so far', async () => {
    const body = [
      sse('meta', META, 1),
      sse('delta', { text: 'Partial' }, 2),
      sse('error', { code: 'llm_unavailable', message: 'Ollama is down', retryable: true }, 3),
    ].join('');
    const { req } = request(streamResponse(body));
    const result = await streamChat(req);
    expect(result.text).toBe('Partial');
    expect(result.outcome).toEqual({
      type: 'failed',
      error: { code: 'llm_unavailable', message: 'Ollama is down', retryable: true },
    });
  });

  it('reports a connection that drops mid-answer as interrupted, with the partial text', async () => {
    const body = controlledBody();
    const { req, events } = request(streamResponse(body.stream));
    const pending = streamChat(req);
    body.push(sse('meta', META, 1) + sse('delta', { text: 'Half an ans' }, 2));
    await vi.waitFor(() => expect(events).toHaveLength(2));
    body.fail(new TypeError('network error'));
    const result = await pending;
    expect(result.outcome).toEqual({ type: 'interrupted', reason: 'connection_lost' });
    expect(result.text).toBe('Half an ans');
    // Where a resume would start.
    expect(result.lastEventId).toBe('2');
  });

  it('reports a body that ends cleanly without done or error as interrupted', async () => {
    const { req } = request(streamResponse(sse('meta', META, 1) + sse('delta', { text: 'cut' }, 2)));
    const result = await streamChat(req);
    expect(result.outcome).toEqual({ type: 'interrupted', reason: 'ended_early' });
    expect(result.text).toBe('cut');
  });

  it('drops an event cut before its blank line, as EventSource does', async () => {
    const body = sse('meta', META, 1) + 'id: 2\nevent: done\ndata: {"finishReason":"stop","usage":{}}\n';
    const { req } = request(streamResponse(body));
    const result = await streamChat(req);
    expect(result.outcome).toEqual({ type: 'interrupted', reason: 'ended_early' });
    expect(result.lastEventId).toBe('1');
  });

  it('stops when the caller aborts mid-answer', async () => {
    const body = controlledBody();
    const controller = new AbortController();
    const { req, events } = request(streamResponse(body.stream), { signal: controller.signal });
    const pending = streamChat(req);
    body.push(sse('meta', META, 1) + sse('delta', { text: 'Once upon' }, 2));
    await vi.waitFor(() => expect(events).toHaveLength(2));
    controller.abort();
    const result = await pending;
    expect(result.outcome).toEqual({ type: 'stopped' });
    expect(result.text).toBe('Once upon');
  });

  it('stops when the caller aborts before the answer starts', async () => {
    const controller = new AbortController();
    const { req } = request(() => new Promise<Response>(() => undefined), { signal: controller.signal });
    const pending = streamChat(req);
    controller.abort();
    expect((await pending).outcome).toEqual({ type: 'stopped' });
  });

  it('gives up on a stream that goes silent (no keep-alive either)', async () => {
    const body = controlledBody();
    const { req } = request(streamResponse(body.stream), { idleTimeoutMs: 50 });
    const pending = streamChat(req);
    body.push(sse('meta', META, 1) + sse('delta', { text: 'x' }, 2));
    expect((await pending).outcome).toEqual({ type: 'interrupted', reason: 'stalled' });
  });

  it('fails on an event whose data does not match the contract, instead of skipping it', async () => {
    const body =
      sse('meta', META, 1) + sse('delta', { txt: 'wrong field' }, 2) + sse('delta', { text: 'later' }, 3);
    const { req } = request(streamResponse(body));
    const result = await streamChat(req);
    expect(result.outcome).toMatchObject({ type: 'failed', error: { code: 'bad_response' } });
    expect(result.text).toBe('');
  });

  it('throws the API error when the server answers JSON instead of a stream', async () => {
    const { req } = request(
      errorResponse(429, 'rate_limited', 'Slow down', { headers: { 'retry-after': '12' } }),
    );
    const error = await streamChat(req).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'rate_limited',
      status: 429,
      retryAfterSeconds: 12,
      requestId: 'req-test-1',
    });
  });

  it('throws bad_response for a 200 that is not an event stream', async () => {
    const { req } = request(jsonResponse({ hello: 'world' }));
    await expect(streamChat(req)).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('throws network_error when there is no answer at all', async () => {
    const { req } = request(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(streamChat(req)).rejects.toMatchObject({ code: 'network_error' });
  });

  it('asks to resume after the last event it saw, for an API that supports it', async () => {
    const { req, fetch } = request(streamResponse(sse('done', { finishReason: 'stop', usage: {} }, 8)), {
      lastEventId: '7',
    });
    const result = await streamChat(req);
    expect(defined(fetch.mock.calls[0])[1].headers).toMatchObject({ 'last-event-id': '7' });
    expect(result.lastEventId).toBe('8');
  });
});
