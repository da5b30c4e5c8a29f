/**
 * One contract suite, run against every adapter on its fake upstream over real sockets: what a user
 * of the library observes (the events, the results, the error codes) and what the upstream saw (the
 * wire request, the disconnect).
 */
import { createServer } from 'node:net';
import {
  LlmError,
  type LlmCallOptions,
  type LlmProvider,
  type LlmStreamEvent,
  type LlmToolDefinition,
} from '../contract';
import {
  DEFAULT_TOKENS,
  startFakeOllama,
  startFakeOpenAI,
  startFakeVllm,
  type FakeScript,
  type FakeUpstream,
  type RecordedRequest,
} from '../testing';
import { OllamaProvider } from './ollama';
import { OpenAICompatibleProvider } from './openai-compatible';
import { VllmProvider } from './vllm';

interface Target {
  name: string;
  start(): Promise<FakeUpstream>;
  provider(url: string, apiKey?: string): LlmProvider;
  model: string;
  embedModel: string;
  /** The window its fake reports for `model` (OpenAI's own API reports none). */
  contextWindow: number | undefined;
  apiKey?: string;
  /** Where the request body puts the JSON schema. */
  schemaOf(body: Record<string, unknown>): unknown;
  toolsOf(body: Record<string, unknown>): unknown;
  streamFlagOf(body: Record<string, unknown>): unknown;
}

const OPENAI_KEY = 'sk-test-0123456789';

const targets: Target[] = [
  {
    name: 'ollama',
    start: () => startFakeOllama(),
    provider: (url) => new OllamaProvider({ id: 'ollama', baseUrl: url }),
    model: 'llama3.2:latest',
    embedModel: 'nomic-embed-text:latest',
    contextWindow: 131072,
    schemaOf: (body) => body.format,
    toolsOf: (body) => body.tools,
    streamFlagOf: (body) => body.stream,
  },
  {
    name: 'openai',
    start: () => startFakeOpenAI({ apiKey: OPENAI_KEY }),
    provider: (url, apiKey = OPENAI_KEY) =>
      new OpenAICompatibleProvider({ id: 'openai', baseUrl: `${url}/v1`, apiKey }),
    model: 'gpt-4o-mini',
    embedModel: 'text-embedding-3-small',
    contextWindow: undefined,
    apiKey: OPENAI_KEY,
    schemaOf: (body) =>
      (body.response_format as { json_schema?: { schema?: unknown } } | undefined)?.json_schema?.schema,
    toolsOf: (body) => body.tools,
    streamFlagOf: (body) => body.stream,
  },
  {
    name: 'vllm',
    start: () => startFakeVllm({ apiKey: OPENAI_KEY }),
    provider: (url, apiKey = OPENAI_KEY) => new VllmProvider({ id: 'vllm', baseUrl: `${url}/v1`, apiKey }),
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    embedModel: 'meta-llama/Llama-3.1-8B-Instruct',
    contextWindow: 8192,
    apiKey: OPENAI_KEY,
    schemaOf: (body) => (body.structured_outputs as { json?: unknown } | undefined)?.json,
    toolsOf: (body) => body.tools,
    streamFlagOf: (body) => body.stream,
  },
];

const weatherTool: LlmToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

async function collect(stream: AsyncIterable<LlmStreamEvent>, onEvent?: (event: LlmStreamEvent) => void) {
  const events: LlmStreamEvent[] = [];
  for await (const event of stream) {
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

const textOf = (events: LlmStreamEvent[]) =>
  events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');

/** Every stream ends with exactly one terminal event, and it is the last one. */
function terminalOf(events: LlmStreamEvent[]) {
  const terminals = events.filter((event) => event.type === 'finish' || event.type === 'error');
  expect(terminals).toHaveLength(1);
  expect(events.at(-1)).toBe(terminals[0]);
  return terminals[0]!;
}

function errorOf(events: LlmStreamEvent[]): LlmError {
  const terminal = terminalOf(events);
  if (terminal.type !== 'error') throw new Error(`expected an error event, got ${JSON.stringify(terminal)}`);
  return terminal.error;
}

/** A port nothing listens on: the connection is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(targets)('$name adapter contract', (target) => {
  let fake: FakeUpstream;
  let provider: LlmProvider;

  beforeAll(async () => {
    fake = await target.start();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    provider = target.provider(fake.url);
  });

  const call = (extra: Partial<LlmCallOptions> = {}): LlmCallOptions => ({
    model: target.model,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ],
    ...extra,
  });
  const lastCall = (): RecordedRequest => fake.calls.at(-1)!;
  const bodyOf = (request: RecordedRequest) => request.body as Record<string, unknown>;
  const script = (...scripts: FakeScript[]) => fake.script(...scripts);

  describe('streaming', () => {
    it('delivers the text as several deltas, then usage, then one finish', async () => {
      script({ tokens: ['The', ' sky', ' is', ' blue.'], usage: { promptTokens: 21, completionTokens: 4 } });
      const events = await collect(provider.stream(call()));
      expect(events[0]).toEqual({ type: 'start', provider: target.name, model: target.model, warnings: [] });
      expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(4);
      expect(textOf(events)).toBe('The sky is blue.');
      expect(terminalOf(events)).toEqual({
        type: 'finish',
        reason: 'stop',
        rawReason: 'stop',
        usage: { promptTokens: 21, completionTokens: 4, totalTokens: 25 },
      });
      expect(events.find((e) => e.type === 'usage')).toEqual({
        type: 'usage',
        usage: { promptTokens: 21, completionTokens: 4, totalTokens: 25 },
      });
      const body = bodyOf(lastCall());
      expect(target.streamFlagOf(body)).toBe(true);
      expect(body.model).toBe(target.model);
      expect(body.messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ]);
    });

    it('reports a length cut as finish reason length', async () => {
      script({ tokens: ['a', 'b'], finishReason: 'length' });
      const terminal = terminalOf(await collect(provider.stream(call({ maxTokens: 2 }))));
      expect(terminal).toMatchObject({ type: 'finish', reason: 'length' });
    });

    it('reassembles text whose bytes arrive one at a time, UTF-8 characters split', async () => {
      script({ tokens: ['héllo ', '世界', ' 🙂'], writeChunkBytes: 1 });
      const events = await collect(provider.stream(call()));
      expect(textOf(events)).toBe('héllo 世界 🙂');
      expect(terminalOf(events).type).toBe('finish');
    });

    it('translates tool calls both ways', async () => {
      script({ tokens: [], toolCalls: [{ name: 'get_weather', arguments: { city: 'Tokyo' } }] });
      const events = await collect(provider.stream(call({ tools: [weatherTool] })));
      const calls = events.flatMap((e) => (e.type === 'tool-call' ? [e.call] : []));
      expect(calls).toHaveLength(1);
      expect(calls[0]!.name).toBe('get_weather');
      expect(calls[0]!.id).toEqual(expect.any(String));
      expect(JSON.parse(calls[0]!.arguments)).toEqual({ city: 'Tokyo' });
      expect(terminalOf(events)).toMatchObject({ type: 'finish', reason: 'tool_calls' });
      expect(target.toolsOf(bodyOf(lastCall()))).toEqual([
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The weather in a city',
            parameters: weatherTool.parameters,
          },
        },
      ]);

      // The answer to the call goes back as a tool message tied to the call's id.
      script({ tokens: ['Sunny in Tokyo.'] });
      const followUp = await collect(
        provider.stream(
          call({
            tools: [weatherTool],
            messages: [
              { role: 'user', content: 'Weather in Tokyo?' },
              { role: 'assistant', content: '', toolCalls: [calls[0]!] },
              { role: 'tool', content: '{"sky":"sunny"}', toolCallId: calls[0]!.id, toolName: 'get_weather' },
            ],
          }),
        ),
      );
      expect(textOf(followUp)).toBe('Sunny in Tokyo.');
      const sent = bodyOf(lastCall()).messages as Record<string, unknown>[];
      expect(sent[2]).toMatchObject({ role: 'tool', content: '{"sky":"sunny"}' });
      expect(JSON.stringify(sent[1])).toContain('get_weather');
    });

    it('parallel tool calls keep their order', async () => {
      script({
        tokens: [],
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Oslo' } },
          { name: 'get_weather', arguments: { city: 'Lima' } },
        ],
      });
      const events = await collect(provider.stream(call({ tools: [weatherTool] })));
      const cities = events.flatMap((e) =>
        e.type === 'tool-call' ? [(JSON.parse(e.call.arguments) as { city: string }).city] : [],
      );
      expect(cities).toEqual(['Oslo', 'Lima']);
    });

    it('sends a JSON schema for structured output', async () => {
      const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
      script({ tokens: ['{"answer":', '"yes"}'] });
      const events = await collect(provider.stream(call({ responseFormat: { type: 'json', schema } })));
      expect(JSON.parse(textOf(events))).toEqual({ answer: 'yes' });
      expect(target.schemaOf(bodyOf(lastCall()))).toEqual(schema);
    });
  });

  describe('non-streamed', () => {
    it('returns the whole text with usage and the finish reason', async () => {
      script({ tokens: ['Hi', ' there'], usage: { promptTokens: 5, completionTokens: 2 } });
      const result = await provider.chat(call());
      expect(result).toMatchObject({
        provider: target.name,
        model: target.model,
        text: 'Hi there',
        finishReason: 'stop',
        toolCalls: [],
        usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
      });
      expect(target.streamFlagOf(bodyOf(lastCall()))).toBe(false);
    });

    it('returns tool calls', async () => {
      script({ tokens: [], toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] });
      const result = await provider.chat(call({ tools: [weatherTool] }));
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls.map((c) => [c.name, JSON.parse(c.arguments) as unknown])).toEqual([
        ['get_weather', { city: 'Rome' }],
      ]);
    });

    it('rejects with a classified error', async () => {
      script({
        httpError: { status: 429, message: 'slow down', code: 'rate_limit_exceeded', retryAfter: 3 },
      });
      await expect(provider.chat(call())).rejects.toMatchObject({
        code: 'rate_limited',
        retryAfterMs: 3000,
        status: 429,
      });
    });
  });

  describe('embeddings, models, health', () => {
    it('embeds a batch, one vector per input, in order', async () => {
      script({ embeddingDimensions: 16 });
      const result = await provider.embed({ model: target.embedModel, input: ['first', 'second', 'third'] });
      expect(result.embeddings).toHaveLength(3);
      for (const vector of result.embeddings) {
        expect(vector).toHaveLength(16);
        for (const value of vector) expect(Number.isFinite(value)).toBe(true);
      }
      expect(result.embeddings[0]).not.toEqual(result.embeddings[1]);
      // The same text embeds the same way: the vectors were decoded, not invented.
      script({ embeddingDimensions: 16 });
      const again = await provider.embed({ model: target.embedModel, input: ['second'] });
      expect(again.embeddings[0]).toEqual(result.embeddings[1]);
    });

    it('lists the models the upstream serves', async () => {
      const models = await provider.listModels();
      expect(models.map((m) => m.id)).toContain(target.model);
      for (const model of models) expect(model.provider).toBe(target.name);
      if (target.name === 'vllm') expect(models[0]!.contextLength).toBe(8192);
    });

    it('reports the context window where the upstream says, and none where it does not', async () => {
      await expect(provider.contextWindow!(target.model)).resolves.toBe(target.contextWindow);
    });

    if (target.name === 'ollama') {
      it('takes the Modelfile num_ctx when it is smaller than the trained length', async () => {
        fake.models.push(
          { id: 'tuned:latest', contextLength: 131072, numCtx: 8192 },
          { id: 'stretched:latest', contextLength: 4096, numCtx: 32768 },
        );
        try {
          await expect(provider.contextWindow!('tuned:latest')).resolves.toBe(8192);
          await expect(provider.contextWindow!('stretched:latest')).resolves.toBe(4096);
          expect(fake.requests.at(-1)).toMatchObject({
            method: 'POST',
            path: '/api/show',
            body: { model: 'stretched:latest' },
          });
        } finally {
          fake.models.splice(-2);
        }
      });
    }

    it('is healthy while the upstream answers, and says why when it does not', async () => {
      await expect(provider.health()).resolves.toMatchObject({ ok: true, provider: target.name });
      fake.unhealthy = true;
      const health = await provider.health({ timeouts: { totalMs: 2_000 } });
      expect(health.ok).toBe(false);
      expect(health.error?.code).toEqual(expect.any(String));
    });
  });

  describe('failures', () => {
    it('an upstream that is not listening is unavailable, retryable, and names the address', async () => {
      const port = await closedPort();
      const down = target.provider(`http://127.0.0.1:${port}`);
      const started = performance.now();
      const error = errorOf(await collect(down.stream(call())));
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(error).toMatchObject({ code: 'unavailable', retryable: true });
      expect(error.message).toContain(`127.0.0.1:${port}`);
      await expect(down.listModels()).rejects.toMatchObject({ code: 'unavailable' });
      await expect(down.contextWindow!(target.model)).rejects.toMatchObject({ code: 'unavailable' });
    });

    it('a connection reset before any answer is unavailable', async () => {
      script({ resetConnection: true });
      expect(errorOf(await collect(provider.stream(call())))).toMatchObject({
        code: 'unavailable',
        retryable: true,
      });
    });

    it.each([
      [{ status: 500, message: 'internal error' }, 'upstream', true],
      [
        { status: 503, message: 'server busy, please try again.  maximum pending requests exceeded' },
        'unavailable',
        true,
      ],
      [
        { status: 429, message: 'Rate limit reached', code: 'rate_limit_exceeded', retryAfter: 7 },
        'rate_limited',
        true,
      ],
      [{ status: 400, message: 'bad sampling value' }, 'bad_request', false],
      [
        {
          status: 400,
          message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
          code: 'context_length_exceeded',
        },
        'context_length',
        false,
      ],
    ])('HTTP %j maps to %s', async (httpError, code, retryable) => {
      script({ httpError });
      const error = errorOf(await collect(provider.stream(call())));
      expect(error).toMatchObject({ code, retryable, status: httpError.status });
      if ('retryAfter' in httpError) expect(error.retryAfterMs).toBe(7000);
    });

    it('an unknown model is model_not_found', async () => {
      const error = errorOf(await collect(provider.stream(call({ model: 'no-such-model' }))));
      expect(error).toMatchObject({ code: 'model_not_found', retryable: false, status: 404 });
    });

    it('an error after streaming started ends the stream with an error, tokens before it delivered', async () => {
      script({
        tokens: ['one', ' two', ' three'],
        errorAfterTokens: 2,
        streamErrorMessage: 'the runner crashed',
      });
      const events = await collect(provider.stream(call()));
      expect(textOf(events)).toBe('one two');
      const error = errorOf(events);
      expect(error.message).toContain('the runner crashed');
      expect(error.code).toBe('upstream');
    });

    it('a stream cut mid-body is an error, not a clean end', async () => {
      script({ tokens: ['one', ' two', ' three'], cutAfterTokens: 2 });
      const events = await collect(provider.stream(call()));
      expect(textOf(events)).toBe('one two');
      expect(errorOf(events)).toMatchObject({ code: 'upstream' });
    });

    it('a stream that ends without its terminal record is an error', async () => {
      script({ tokens: ['one', ' two'], omitTerminal: true });
      const events = await collect(provider.stream(call()));
      expect(textOf(events)).toBe('one two');
      expect(errorOf(events).code).toBe('upstream');
    });

    it('a line that is not JSON is an error, never skipped', async () => {
      script({ tokens: ['one', ' two', ' three'], malformedAfterTokens: 1 });
      const events = await collect(provider.stream(call()));
      expect(textOf(events)).toBe('one');
      expect(errorOf(events).code).toBe('upstream');
    });

    it('a stall before the first token times out and the upstream sees the disconnect', async () => {
      script({ stallBeforeFirstTokenMs: Infinity });
      const error = errorOf(await collect(provider.stream(call({ timeouts: { firstTokenMs: 150 } }))));
      expect(error).toMatchObject({ code: 'timeout', retryable: true });
      await fake.waitForAbort(lastCall(), 1_000);
    });

    it('a stall mid-stream times out with the tokens before it delivered', async () => {
      script({ tokens: ['a', 'b', 'c', 'd'], stallAfter: { tokens: 2, ms: Infinity } });
      const events = await collect(provider.stream(call({ timeouts: { idleMs: 150 } })));
      expect(textOf(events)).toBe('ab');
      expect(errorOf(events)).toMatchObject({ code: 'timeout' });
      await fake.waitForAbort(lastCall(), 1_000);
    });

    if (target.name === 'ollama') {
      // Ollama writes its headers with its first record: after loading the model, waiting for a slot
      // and reading the prompt. The connect deadline ends when the connection is open.
      it('headers held while the model loads count toward the first token, not the connect deadline', async () => {
        script({ tokens: ['loaded'], headerDelayMs: 400 });
        const events = await collect(
          provider.stream(call({ timeouts: { connectMs: 150, firstTokenMs: 5_000 } })),
        );
        expect(textOf(events)).toBe('loaded');
        expect(events.at(-1)?.type).toBe('finish');
      });

      it('headers that never come hit the first-token deadline', async () => {
        script({ headerDelayMs: 5_000 });
        const started = performance.now();
        const error = errorOf(
          await collect(provider.stream(call({ timeouts: { connectMs: 150, firstTokenMs: 300 } }))),
        );
        expect(error).toMatchObject({ code: 'timeout', message: expect.stringContaining('no first token') });
        expect(performance.now() - started).toBeLessThan(2_000);
      });
    } else {
      it('headers that never come hit the connect deadline', async () => {
        script({ headerDelayMs: 5_000 });
        const started = performance.now();
        const error = errorOf(await collect(provider.stream(call({ timeouts: { connectMs: 150 } }))));
        expect(error.code).toBe('timeout');
        expect(performance.now() - started).toBeLessThan(2_000);
      });
    }

    it('aborting the signal closes the upstream request within 100 ms', async () => {
      script({ tokens: Array.from({ length: 50 }, (_, i) => `t${i} `), delayMs: 20 });
      const controller = new AbortController();
      let abortedAt = 0;
      const events = await collect(provider.stream(call({ signal: controller.signal })), (event) => {
        if (event.type === 'text-delta' && abortedAt === 0) {
          abortedAt = performance.now();
          controller.abort();
        }
      });
      expect(errorOf(events)).toMatchObject({ code: 'aborted', retryable: false });
      const seen = await fake.waitForAbort(lastCall(), 1_000);
      expect(seen.abortedAt! - abortedAt).toBeLessThan(100);
    });

    it('a consumer that stops reading closes the upstream request', async () => {
      script({ tokens: Array.from({ length: 50 }, (_, i) => `t${i} `), delayMs: 20 });
      for await (const event of provider.stream(call())) if (event.type === 'text-delta') break;
      await fake.waitForAbort(lastCall(), 1_000);
    });
  });

  if (target.apiKey) {
    it('a wrong API key is auth, not retryable', async () => {
      const wrong = target.provider(fake.url, 'sk-wrong');
      expect(errorOf(await collect(wrong.stream(call())))).toMatchObject({
        code: 'auth',
        retryable: false,
        status: 401,
      });
      await expect(wrong.listModels()).rejects.toMatchObject({ code: 'auth' });
    });

    it('sends the configured key, never one from the environment', async () => {
      await collect(provider.stream(call()));
      expect(lastCall().headers.authorization).toBe(`Bearer ${target.apiKey}`);
    });
  }

  it('uses the default tokens when a script names none', async () => {
    const events = await collect(provider.stream(call()));
    expect(textOf(events)).toBe(DEFAULT_TOKENS.join(''));
  });
});

describe('LlmError', () => {
  it('serialises without its cause', () => {
    const error = new LlmError('rate_limited', 'slow down', {
      status: 429,
      retryAfterMs: 1000,
      cause: new Error('x'),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'rate_limited',
      message: 'slow down',
      retryable: true,
      status: 429,
      retryAfterMs: 1000,
    });
  });
});
