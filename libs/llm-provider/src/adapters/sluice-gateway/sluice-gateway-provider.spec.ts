/**
 * The gateway dialect on a real socket: each server here writes what a Sluice gateway writes
 * (docs/wire-formats.md#sluice-gateway). The API's stage-two suites prove it against the real gateway.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LlmStreamEvent } from '../../contract';
import { createProvider } from '../create-provider';
import { OpenAICompatibleProvider } from '../openai-compatible';
import { SluiceGatewayProvider } from './sluice-gateway-provider';

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let answer: Answer;
let server: http.Server;
let baseUrl: string;
const seen: http.IncomingHttpHeaders[] = [];
const paths: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  paths.length = 0;
});

const gateway = () => new SluiceGatewayProvider({ id: 'gateway', baseUrl, apiKey: 'k' });
const call = { model: 'qwen', messages: [{ role: 'user' as const, content: 'hi' }], user: 'user-42' };

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const DONE = 'data: [DONE]\n\n';

function sse(...events: string[]): Answer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.end(events.join(''));
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

async function run(provider = gateway()): Promise<LlmStreamEvent[]> {
  const events: LlmStreamEvent[] = [];
  for await (const event of provider.stream(call)) events.push(event);
  return events;
}

describe('SluiceGatewayProvider', () => {
  it("asks for the gateway's events and reads its place in the queue, then who serves", async () => {
    answer = sse(
      chunk({ role: 'assistant', content: '' }),
      'event: sluice.queued\ndata: {"position":2}\n\n',
      'event: sluice.queued\ndata: {"position":1}\n\n',
      'event: sluice.later-version\ndata: {}\n\n',
      'event: sluice.start\ndata: {"provider":"vllm","model":"qwen"}\n\n',
      chunk({ content: 'hi' }),
      chunk({}, 'stop'),
      DONE,
    );
    const events = await run();
    expect(seen[0]?.['x-sluice-stream-events']).toBe('1');
    expect(events.map((e) => e.type)).toEqual(['start', 'queued', 'queued', 'start', 'text-delta', 'finish']);
    expect(events.filter((e) => e.type === 'queued')).toEqual([
      { type: 'queued', provider: 'gateway', position: 2 },
      { type: 'queued', provider: 'gateway', position: 1 },
    ]);
    expect(events[3]).toEqual({ type: 'start', provider: 'vllm', model: 'qwen', warnings: [] });
  });

  it('refuses a queue event without a position, and a start event without who serves', async () => {
    answer = sse('event: sluice.queued\ndata: {"position":"first"}\n\n', DONE);
    expect((await run()).at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream' } });
    answer = sse('event: sluice.start\ndata: {"provider":"vllm"}\n\n', DONE);
    expect((await run()).at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream' } });
  });

  it('names the end user in x-sluice-user, streamed or not', async () => {
    answer = sse(chunk({ content: 'x' }), chunk({}, 'stop'), DONE);
    await run();
    answer = json(200, {
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'qwen',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
    });
    await gateway().chat(call);
    expect(seen.map((headers) => headers['x-sluice-user'])).toEqual(['user-42', 'user-42']);
  });

  it('reports the upstream that served, from its headers', async () => {
    answer = (req, res) => {
      res.setHeader('x-sluice-provider', 'ollama');
      res.setHeader('x-sluice-model', 'llama3.2:latest');
      sse(chunk({ content: 'x' }), chunk({}, 'stop'), DONE)(req, res);
    };
    const events = await run();
    expect(events[0]).toEqual({ type: 'start', provider: 'ollama', model: 'llama3.2:latest', warnings: [] });
  });

  it('asks for the one model, its id encoded, and reads its window and upstream', async () => {
    answer = json(200, {
      id: 'ollama/llama3.2:latest',
      object: 'model',
      owned_by: 'ollama',
      max_model_len: 131072,
      sluice_provider: 'ollama',
    });
    await expect(gateway().contextWindow('ollama/llama3.2:latest')).resolves.toBe(131072);
    expect(paths).toEqual(['/v1/models/ollama%2Fllama3.2:latest']);
    answer = json(404, {
      error: { message: 'not found', type: 'invalid_request_error', code: 'model_not_found' },
    });
    await expect(gateway().contextWindow('missing')).rejects.toMatchObject({ code: 'model_not_found' });
  });

  it('lists models with the upstream that serves each', async () => {
    answer = json(200, {
      object: 'list',
      data: [
        { id: 'ollama/llama3.2:latest', object: 'model', owned_by: 'ollama', sluice_provider: 'ollama' },
      ],
    });
    await expect(gateway().listModels()).resolves.toEqual([
      { id: 'ollama/llama3.2:latest', provider: 'gateway', ownedBy: 'ollama', servedBy: 'ollama' },
    ]);
  });
});

describe('createProvider', () => {
  it("builds the gateway for kind 'sluice-gateway' only", () => {
    const settings = { id: 'gateway', baseUrl };
    const gatewayProvider = createProvider({ ...settings, kind: 'sluice-gateway' });
    expect(gatewayProvider).toBeInstanceOf(SluiceGatewayProvider);
    expect(gatewayProvider.kind).toBe('sluice-gateway');
    const plain = createProvider({ ...settings, kind: 'openai' });
    expect(plain).toBeInstanceOf(OpenAICompatibleProvider);
    expect(plain).not.toBeInstanceOf(SluiceGatewayProvider);
  });
});
