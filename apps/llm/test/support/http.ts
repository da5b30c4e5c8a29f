import { readSse, type SseEvent } from '@sluice/llm-provider';
import { TOKEN } from './gateway';

export const AUTH = { authorization: `Bearer ${TOKEN}` };

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = AUTH,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/**
 * Every SSE event of a response, through the library's spec-conforming parser, plus the raw text;
 * `cut` says the connection closed before the body's end (how a stream that failed mid-way ends).
 */
export async function readEvents(
  response: Response,
): Promise<{ events: SseEvent[]; text: string; cut: boolean }> {
  const events: SseEvent[] = [];
  let text = '';
  const body = response.body;
  if (!body) return { events, text, cut: false };
  const decoder = new TextDecoder();
  async function* bytes(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      yield chunk;
    }
  }
  try {
    for await (const event of readSse(bytes())) events.push(event);
  } catch (error) {
    if ((error as Error).message !== 'terminated') throw error;
    return { events, text, cut: true };
  }
  return { events, text, cut: false };
}

/** The parsed JSON of every `data:` event but `[DONE]`. */
export function jsonEvents(events: SseEvent[]): Record<string, unknown>[] {
  return events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data) as Record<string, unknown>);
}
