import { type ChatStreamEvent, type ErrorResponse, parseChatStreamEvent } from '@sluice/contracts';
import { readSse } from '@sluice/llm-provider';

/** One browser-stream event, checked against the contracts schema, with its `id:`. */
export type ReceivedEvent = ChatStreamEvent & { id: string | undefined };

export interface ChatStream {
  status: number;
  headers: Headers;
  /** The JSON error body when the server answered before the stream started. */
  errorBody?: ErrorResponse;
  /** Every event, parsed by a real SSE parser, until the server ends the stream. */
  events: AsyncGenerator<ReceivedEvent>;
  /** Closes the connection (the browser navigating away). */
  abort(): void;
}

async function* noEvents(): AsyncGenerator<ReceivedEvent> {
  // A JSON answer carries no events.
}

/** POSTs a message and reads the answer as the browser would: raw bytes through an SSE parser. */
export async function openChat(
  baseUrl: string,
  token: string,
  conversationId: string,
  body: unknown,
): Promise<ChatStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
    },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const abort = () => controller.abort();
  const isStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (!isStream || !response.body) {
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      ...(text ? { errorBody: JSON.parse(text) as ErrorResponse } : {}),
      events: noEvents(),
      abort,
    };
  }
  const stream = response.body;
  async function* events(): AsyncGenerator<ReceivedEvent> {
    for await (const event of readSse(stream)) {
      const parsed = parseChatStreamEvent(event.event, event.data);
      if (parsed === undefined) throw new Error(`unknown stream event '${event.event}'`);
      yield { ...parsed, id: event.id };
    }
  }
  return { status: response.status, headers: response.headers, events: events(), abort };
}

/** Reads every event until the stream ends. */
export async function collect(stream: ChatStream): Promise<ReceivedEvent[]> {
  const all: ReceivedEvent[] = [];
  for await (const event of stream.events) all.push(event);
  return all;
}

/** The text of every `delta` event, joined. */
export function textOf(events: ReceivedEvent[]): string {
  return events.map((event) => (event.event === 'delta' ? event.data.text : '')).join('');
}

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
