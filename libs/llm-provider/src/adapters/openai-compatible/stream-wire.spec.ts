/**
 * The streamed path's wire edges that the shared fakes do not script: each server here writes raw
 * bytes on a real socket, as the server named in the test does (docs/wire-formats.md#openai).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LlmStreamEvent } from '../../contract';
import { OpenAICompatibleProvider } from './openai-compatible-provider';

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let answer: Answer;
let sockets = 0;
let server: http.Server;
let provider: OpenAICompatibleProvider;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  server.on('connection', () => sockets++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/v1`;
  provider = new OpenAICompatibleProvider({
    id: 'wire',
    baseUrl,
    apiKey: 'k',
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

function sse(...events: string[]): Answer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(events.join(''));
  };
}

async function run(through = provider): Promise<LlmStreamEvent[]> {
  const events: LlmStreamEvent[] = [];
  for await (const event of through.stream({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }))
    events.push(event);
  return events;
}

const last = (events: LlmStreamEvent[]) => events.at(-1)!;
const text = (events: LlmStreamEvent[]) =>
  events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');

it('an `event: error` event ends the stream with the error, tokens before it delivered', async () => {
  answer = sse(chunk({ content: 'one' }), 'event: error\ndata: {"error":{"message":"engine died"}}\n\n');
  const events = await run();
  expect(text(events)).toBe('one');
  expect(last(events)).toMatchObject({
    type: 'error',
    error: { code: 'upstream', message: 'wire failed mid-stream: engine died' },
  });
});

it("TGI's in-stream validation error carries its status in the body", async () => {
  answer = sse(
    chunk({ content: 'one' }),
    'data: {"error":{"message":"Input validation error: too long","http_status_code":422}}\n\n',
    'data: [DONE]\n\n',
  );
  expect(last(await run())).toMatchObject({ type: 'error', error: { code: 'bad_request', status: 422 } });
});

it("TGI's plain-string error in a stream is read as the message", async () => {
  answer = sse(
    'data: {"error":"Request failed during generation: Server error: overloaded","error_type":"generation"}\n\n',
  );
  expect(last(await run())).toMatchObject({
    type: 'error',
    error: { code: 'upstream', message: expect.stringContaining('overloaded') },
  });
});

it("vLLM's flat error shape (before 0.10.1) keeps its message and status", async () => {
  answer = (_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(
      '{"object":"error","message":"max_tokens must be at least 1","type":"BadRequestError","param":null,"code":400}',
    );
  };
  expect(last(await run())).toMatchObject({
    type: 'error',
    error: {
      code: 'bad_request',
      status: 400,
      message: expect.stringContaining('max_tokens must be at least 1'),
    },
  });
});

it('an error sent as JSON under a 200 (docs/wire-formats.md#error-under-200) is that error, not an empty stream', async () => {
  answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      '{"error":{"message":"The model `m` does not exist.","type":"invalid_request_error","code":"model_not_found"}}',
    );
  };
  expect(last(await run())).toMatchObject({ type: 'error', error: { code: 'model_not_found' } });
});

it('a 401 with an empty body (TGI) is auth', async () => {
  answer = (_req, res) => {
    res.writeHead(401);
    res.end();
  };
  expect(last(await run())).toMatchObject({
    type: 'error',
    error: { code: 'auth', status: 401, retryable: false },
  });
});

it('comments, CRLF line endings and data split over reads are read as one stream', async () => {
  answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const body =
      `: OPENROUTER PROCESSING\r\n\r\n${chunk({ content: 'héllo' })}${chunk({}, 'stop')}data: [DONE]\n\n`.replace(
        /\n/g,
        '\r\n',
      );
    const bytes = Buffer.from(body);
    let at = 0;
    const next = () => {
      if (at >= bytes.length) return void res.end();
      res.write(bytes.subarray(at, at + 7));
      at += 7;
      setImmediate(next);
    };
    next();
  };
  const events = await run();
  expect(text(events)).toBe('héllo');
  expect(last(events)).toMatchObject({ type: 'finish', reason: 'stop' });
});

it('streams one after another reuse one kept-alive socket (the body is drained after [DONE])', async () => {
  answer = sse(chunk({ content: 'a' }), chunk({}, 'stop'), 'data: [DONE]\n\n');
  await run();
  const before = sockets;
  for (let i = 0; i < 5; i++) expect(last(await run())).toMatchObject({ type: 'finish' });
  expect(sockets).toBe(before);
});

it("never asks a server for a Sluice gateway's own events (SluiceGatewayProvider does)", async () => {
  let asked: string | string[] | undefined = 'unset';
  answer = (req, res) => {
    asked = req.headers['x-sluice-stream-events'];
    sse(chunk({ content: 'x' }), chunk({}, 'stop'), 'data: [DONE]\n\n')(req, res);
  };
  await run();
  expect(asked).toBeUndefined();
});

it("reads an event named like a gateway's as a chunk (with no choices), as any OpenAI client would", async () => {
  answer = sse(
    'event: sluice.queued\ndata: {"position":2}\n\n',
    chunk({ content: 'x' }),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  );
  const events = await run();
  expect(events.map((e) => e.type)).toEqual(['start', 'text-delta', 'finish']);
});
