import type { Conversation, Message, User } from '@sluice/contracts';
import { vi } from 'vitest';
import type { Session } from '../auth/session-store';
import { errorResponse, jsonResponse } from './sse';

export type Handler = (request: {
  url: URL;
  init: RequestInit;
  body: unknown;
}) => Response | Promise<Response>;

export const USER: User = {
  id: '00000000-0000-4000-8000-0000000000aa',
  email: 'ada@example.com',
  role: 'user',
  createdAt: '2025-01-01T00:00:00.000Z',
};

export const SESSION: Session = { accessToken: 'token-1', user: USER };

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    title: 'Trip to Lisbon',
    model: null,
    createdAt: '2025-01-02T10:00:00.000Z',
    updatedAt: '2025-01-02T10:00:00.000Z',
    ...overrides,
  };
}

export function message(overrides: Partial<Message> = {}): Message {
  return {
    id: '00000000-0000-4000-8000-000000000101',
    conversationId: '00000000-0000-4000-8000-000000000001',
    role: 'user',
    content: 'Hello',
    status: 'complete',
    model: null,
    provider: null,
    promptTokens: null,
    completionTokens: null,
    ttftMs: null,
    durationMs: null,
    errorCode: null,
    createdAt: '2025-01-02T10:00:00.000Z',
    updatedAt: '2025-01-02T10:00:00.000Z',
    ...overrides,
  };
}

const EMPTY_USAGE = {
  from: '2025-01-01',
  to: '2025-01-30',
  days: [],
  totals: { messages: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 },
};

/**
 * A fetch that answers from handlers keyed `"METHOD /path"` (`:id` matches one segment), with
 * sensible defaults for the calls every screen makes. Unknown routes answer 404 `not_found`.
 */
export function fakeApi(handlers: Record<string, Handler> = {}) {
  const all: Record<string, Handler> = {
    'GET /api/auth/me': () => jsonResponse(USER),
    // No refresh cookie unless a test gives one.
    'POST /api/auth/refresh': () => errorResponse(401, 'unauthorized', 'Sign in to start a session'),
    'POST /api/auth/logout': () => new Response(null, { status: 204 }),
    'GET /api/models': () =>
      jsonResponse({
        models: [
          { id: 'llama3.2:latest', provider: 'ollama' },
          { id: 'qwen3:8b', provider: 'ollama' },
        ],
        unavailable: [],
      }),
    'GET /api/usage': () => jsonResponse(EMPTY_USAGE),
    'GET /api/conversations': () => jsonResponse({ items: [], nextCursor: null }),
    'POST /api/conversations': () => jsonResponse(conversation({ title: null }), 201),
    'GET /api/conversations/:id': ({ url }) =>
      jsonResponse(conversation({ id: url.pathname.split('/')[3] ?? '', title: null })),
    ...handlers,
  };
  const patterns = Object.entries(all).map(([key, handler]) => {
    const [method, path] = key.split(' ') as [string, string];
    const regex = new RegExp(`^${path.replace(/:[a-z]+/g, '[^/]+')}$`);
    return { method, regex, handler };
  });

  const fetch = vi.fn(async (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://localhost');
    const method = init.method ?? 'GET';
    const match = patterns.find((p) => p.method === method && p.regex.test(url.pathname));
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    if (!match) {
      return jsonResponse(
        { error: { code: 'not_found', message: `No route ${method} ${url.pathname}` }, requestId: 'r' },
        404,
      );
    }
    return match.handler({ url, init, body });
  });

  const calls = (method: string, path: string) =>
    fetch.mock.calls.filter(
      ([input, init]) =>
        (init.method ?? 'GET') === method && new URL(input, 'http://localhost').pathname === path,
    );
  /** The request init of the `index`th call of a route (a test failure when there is none). */
  const sent = (method: string, path: string, index = 0): RequestInit => {
    const call = calls(method, path)[index];
    if (call === undefined) throw new Error(`No call ${index} of ${method} ${path}`);
    return call[1];
  };
  /** The JSON body of that call. */
  const sentBody = (method: string, path: string, index = 0): unknown =>
    JSON.parse(sent(method, path, index).body as string);
  return { fetch, calls, sent, sentBody };
}

/** The value, or a test failure: for lookups the test knows succeed. */
export function defined<T>(value: T | null | undefined, what = 'a value'): T {
  if (value === null || value === undefined) throw new Error(`Expected ${what}`);
  return value;
}
