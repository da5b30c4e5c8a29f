/** Helpers for the fakes' own specs (not exported from the testing entry point). */
import { request as httpRequest } from 'node:http';
import { NdjsonDecoder, SseDecoder } from '../codecs';
import type { FakeUpstream } from './fake-server';

export interface RawResponse {
  status: number;
  headers: Headers;
  /** The body bytes as they arrived, one element per read. */
  chunks: Buffer[];
  bytes: Buffer;
  text: string;
}

/** Reads a whole response, keeping how its bytes arrived. */
export async function readAll(response: Response): Promise<RawResponse> {
  const chunks: Buffer[] = [];
  if (response.body) for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
  const bytes = Buffer.concat(chunks);
  return { status: response.status, headers: response.headers, chunks, bytes, text: bytes.toString('utf8') };
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/**
 * Blanks the fields that change on every run: ids, timestamps, fingerprints, OpenAI's random
 * `obfuscation` padding, the measured total duration.
 */
export function normalise(text: string): string {
  return text
    .replace(/("id": ?)"[^"]*"/g, '$1"ID"')
    .replace(/("created": ?)\d+/g, '$10')
    .replace(/("created_at": ?)"[^"]*"/g, '$1"T"')
    .replace(/("system_fingerprint": ?)"[^"]*"/g, '$1"FP"')
    .replace(/("obfuscation": ?)"[^"]*"/g, '$1"OBF"')
    .replace(/("total_duration": ?)\d+/g, '$10');
}

export function ndjsonRecords(text: string): Record<string, unknown>[] {
  const decoder = new NdjsonDecoder();
  return [...decoder.push(text), ...decoder.end()] as Record<string, unknown>[];
}

/** The `data` of every SSE event. */
export function sseData(text: string): string[] {
  const decoder = new SseDecoder();
  return [...decoder.push(text), ...decoder.end()].map((event) => event.data);
}

/** A request with node:http, whose 'data' events show the body's writes one by one (fetch merges reads). */
export function httpChunks(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; chunks: Buffer[]; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, chunks, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Sends a request with node:http and resolves with the socket error (for connection resets). */
export function requestError(url: string, method = 'GET'): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve(undefined));
      res.on('error', (error: NodeJS.ErrnoException) => resolve(error));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error));
    req.end();
  });
}

/** How each fake is driven by the shared specs. */
export interface FakeTarget {
  name: string;
  start(): Promise<FakeUpstream>;
  chatPath: string;
  headers: Record<string, string>;
  /** A streamed chat request body. */
  chatBody(extra?: Record<string, unknown>): Record<string, unknown>;
  embedPath: string;
  embedBody(input: string[]): Record<string, unknown>;
  /** The text content of a streamed body (stops at a line that is not JSON). */
  textOf(body: string): string;
  /** Did the stream end with its terminal record? */
  hasTerminal(body: string): boolean;
  /** The text of a non-streamed answer. */
  onceText(body: unknown): string;
}

const API_KEY = 'sk-fake-test-key-0123456789';

function sseText(body: string): string {
  let text = '';
  for (const data of sseData(body)) {
    if (data === '[DONE]') break;
    let chunk: { choices?: { delta?: { content?: string } }[] };
    try {
      chunk = JSON.parse(data) as typeof chunk;
    } catch {
      break;
    }
    text += chunk.choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

function ndjsonText(body: string): string {
  let text = '';
  for (const line of body.split('\n')) {
    if (line === '') continue;
    let record: { message?: { content?: string } };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      break;
    }
    text += record.message?.content ?? '';
  }
  return text;
}

const openAIOnceText = (body: unknown) =>
  (body as { choices: { message: { content: string | null } }[] }).choices[0]!.message.content ?? '';

export const OPENAI_KEY = API_KEY;

export function targets(starters: {
  ollama: () => Promise<FakeUpstream>;
  openai: () => Promise<FakeUpstream>;
  vllm: () => Promise<FakeUpstream>;
}): FakeTarget[] {
  return [
    {
      name: 'ollama',
      start: starters.ollama,
      chatPath: '/api/chat',
      headers: {},
      chatBody: (extra = {}) => ({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'hi' }],
        ...extra,
      }),
      embedPath: '/api/embed',
      embedBody: (input) => ({ model: 'nomic-embed-text', input }),
      textOf: ndjsonText,
      hasTerminal: (body) => ndjsonRecordsSafe(body).some((r) => r.done === true),
      onceText: (body) => (body as { message: { content: string } }).message.content,
    },
    {
      name: 'openai',
      start: starters.openai,
      chatPath: '/v1/chat/completions',
      headers: { authorization: `Bearer ${API_KEY}` },
      chatBody: (extra = {}) => ({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        ...extra,
      }),
      embedPath: '/v1/embeddings',
      embedBody: (input) => ({ model: 'text-embedding-3-small', input, encoding_format: 'float' }),
      textOf: sseText,
      hasTerminal: (body) => sseData(body).includes('[DONE]'),
      onceText: openAIOnceText,
    },
    {
      name: 'vllm',
      start: starters.vllm,
      chatPath: '/v1/chat/completions',
      headers: { authorization: `Bearer ${API_KEY}` },
      chatBody: (extra = {}) => ({
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        ...extra,
      }),
      embedPath: '/v1/embeddings',
      embedBody: (input) => ({ model: 'meta-llama/Llama-3.1-8B-Instruct', input }),
      textOf: sseText,
      hasTerminal: (body) => sseData(body).includes('[DONE]'),
      onceText: openAIOnceText,
    },
  ];
}

function ndjsonRecordsSafe(body: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of body.split('\n')) {
    try {
      if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not JSON: skipped here
    }
  }
  return records;
}
