/**
 * Builders for the API's browser stream in tests: events in the exact wire format, a fetch that plays
 * a scripted response, and a body whose chunks the test releases one by one.
 */
export function sse(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const META = {
  conversationId: '00000000-0000-4000-8000-000000000001',
  userMessageId: '00000000-0000-4000-8000-000000000002',
  assistantMessageId: '00000000-0000-4000-8000-000000000003',
  model: 'llama3.2:latest',
  provider: 'ollama',
};

/** A complete answer: meta, the deltas, usage, done. */
export function answer(tokens: string[], finishReason = 'stop'): string {
  let id = 0;
  return [
    sse('meta', META, (id += 1)),
    ...tokens.map((text) => sse('delta', { text }, (id += 1))),
    sse('usage', { promptTokens: 12, completionTokens: tokens.length }, (id += 1)),
    sse('done', { finishReason, usage: { promptTokens: 12, completionTokens: tokens.length } }, (id += 1)),
  ].join('');
}

export const encoder = new TextEncoder();

/** A response body the test drives: `push` a chunk, `end` cleanly, `fail` like a dropped connection. */
export function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    stream,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: (error: unknown = new TypeError('network error')) => controller.error(error),
  };
}

/** A body that delivers `text` cut into the given byte chunks. */
export function chunkedBody(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index];
      index += 1;
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

export function streamResponse(body: ReadableStream<Uint8Array> | string, init: ResponseInit = {}): Response {
  const stream = typeof body === 'string' ? chunkedBody([encoder.encode(body)]) : body;
  return new Response(stream, {
    status: 200,
    ...init,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', ...init.headers },
  });
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  options: { details?: unknown; headers?: Record<string, string> } = {},
): Response {
  return jsonResponse(
    {
      error: { code, message, ...(options.details === undefined ? {} : { details: options.details }) },
      requestId: 'req-test-1',
    },
    status,
    options.headers,
  );
}
