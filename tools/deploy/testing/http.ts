/** HTTP as a browser and a proxy see it: raw responses (no automatic decompression) and timed SSE. */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readSse } from '@sluice/llm-provider';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with node:http: the bytes as sent (a gzip body stays gzip). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer from ${url} in 15 s`)));
    req.end(options.body);
  });
}

export async function postJson<T>(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface TimedEvent {
  event: string;
  data: string;
  /** ms since the request was sent. */
  at: number;
}

export interface ChatRun {
  status: number;
  headers: Headers;
  events: TimedEvent[];
}

/**
 * Registers a user, opens a conversation and sends one message through `baseUrl` (the API, or a proxy
 * in front of it), reading the answer's event stream with the time each event arrived.
 */
export async function chatThrough(baseUrl: string, content: string): Promise<ChatRun> {
  const email = `deploy-${process.pid}-${Date.now()}@example.com`;
  const auth = await postJson<{ accessToken: string }>(`${baseUrl}/api/auth/register`, {
    email,
    // Random: the sign-up rule refuses guessable passwords.
    password: `pw-${randomBytes(12).toString('base64url')}`,
  });
  if (auth.status !== 201)
    throw new Error(`register through ${baseUrl}: ${auth.status} ${JSON.stringify(auth.body)}`);
  const token = auth.body.accessToken;
  const conversation = await postJson<{ id: string }>(`${baseUrl}/api/conversations`, {}, token);
  if (conversation.status !== 201)
    throw new Error(`create a conversation: ${conversation.status} ${JSON.stringify(conversation.body)}`);
  const started = performance.now();
  const response = await fetch(`${baseUrl}/api/conversations/${conversation.body.id}/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ content }),
  });
  const events: TimedEvent[] = [];
  if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    throw new Error(
      `the chat answered ${response.status} ${response.headers.get('content-type')}: ${await response.text()}`,
    );
  }
  for await (const event of readSse(response.body)) {
    events.push({ event: event.event, data: event.data, at: performance.now() - started });
  }
  return { status: response.status, headers: response.headers, events };
}
