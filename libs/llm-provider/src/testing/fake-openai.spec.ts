import OpenAI from 'openai';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai';
import { normalise, postJson, readAll, sseData } from './fake-spec-helpers';
import { fakeEmbedding } from './fake-util';

const KEY = 'sk-test-0123456789abcdef';
const AUTH = { authorization: `Bearer ${KEY}` };

describe('fake OpenAI', () => {
  let fake: FakeOpenAI;
  const post = (path: string, body: unknown, headers: Record<string, string> = AUTH) =>
    postJson(`${fake.url}${path}`, body, headers);
  const chat = (extra: Record<string, unknown> = {}) =>
    post('/v1/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      ...extra,
    });

  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: KEY });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  describe('streamed chat completions', () => {
    it('sends the SSE events byte for byte, usage chunk last before [DONE]', async () => {
      fake.script({
        tokens: ['Hi', ' there'],
        reasoning: ['ignored'],
        usage: { promptTokens: 5, completionTokens: 2 },
      });
      const response = await readAll(await chat({ stream_options: { include_usage: true } }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
      expect(response.headers.get('openai-processing-ms')).toMatch(/^\d+$/);
      const head =
        '"id":"ID","object":"chat.completion.chunk","created":0,"model":"gpt-4o-mini","service_tier":"default","system_fingerprint":"FP"';
      const details =
        '"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":' +
        '{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}';
      expect(normalise(response.text)).toBe(
        [
          `data: {${head},"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"OBF"}`,
          `data: {${head},"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"OBF"}`,
          `data: {${head},"choices":[{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"OBF"}`,
          `data: {${head},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null,"obfuscation":"OBF"}`,
          `data: {${head},"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,${details}},"obfuscation":"OBF"}`,
          'data: [DONE]',
          '',
        ].join('\n\n'),
      );
      const chunks = sseData(response.text)
        .slice(0, -1)
        .map((data) => JSON.parse(data) as { id: string; created: number; system_fingerprint: string });
      expect(new Set(chunks.map((c) => `${c.id} ${c.created} ${c.system_fingerprint}`)).size).toBe(1);
      expect(chunks[0]!.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
      expect(chunks[0]!.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
      expect(Math.abs(chunks[0]!.created - Date.now() / 1000)).toBeLessThan(5);
    });

    it('has no usage at all without include_usage', async () => {
      const { text } = await readAll(await chat());
      expect(text).not.toContain('usage');
      expect(sseData(text).at(-1)).toBe('[DONE]');
    });

    it('streams tool calls keyed by index: id, type and name first, then the arguments in token-sized fragments', async () => {
      fake.script({
        tokens: [],
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Tokyo' } },
          { name: 'get_time', arguments: { zone: 'Asia/Tokyo' } },
        ],
      });
      const events = sseData((await readAll(await chat())).text);
      const deltas = events
        .slice(0, -1)
        .map(
          (data) =>
            (JSON.parse(data) as { choices: { delta: Record<string, unknown>; finish_reason: unknown }[] })
              .choices[0]!,
        );
      const calls = deltas.flatMap(
        (d) =>
          (d.delta.tool_calls ?? []) as {
            index: number;
            id?: string;
            type?: string;
            function: { name?: string; arguments: string };
          }[],
      );
      for (const index of [0, 1]) {
        const parts = calls.filter((c) => c.index === index);
        expect(parts[0]).toEqual({
          index,
          id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
          type: 'function',
          function: { name: index === 0 ? 'get_weather' : 'get_time', arguments: '' },
        });
        expect(parts.length).toBeGreaterThanOrEqual(3);
        for (const part of parts.slice(1)) expect(Object.keys(part)).toEqual(['index', 'function']);
        const args = parts.map((p) => p.function.arguments).join('');
        expect(JSON.parse(args)).toEqual(index === 0 ? { city: 'Tokyo' } : { zone: 'Asia/Tokyo' });
      }
      // An answer that opens with a call has no role chunk of its own: the first call's delta carries it.
      expect(deltas[0]!.delta).toMatchObject({ role: 'assistant', content: null, refusal: null });
      expect(deltas.at(-1)).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' });
    });

    it('sends an error after the stream started as a data: {"error"} event, without [DONE]', async () => {
      fake.script({ tokens: ['one', ' two', ' three'], errorAfterTokens: 2, streamErrorMessage: 'boom' });
      const response = await readAll(await chat());
      expect(response.status).toBe(200);
      const events = sseData(response.text);
      expect(events).toHaveLength(4);
      expect(events[3]).toBe('{"error":{"message":"boom","type":"server_error","param":null,"code":null}}');
      expect(response.text.endsWith('\n\n')).toBe(true);
    });
  });

  describe('non-streamed chat completions', () => {
    it('answers a chat.completion with usage details', async () => {
      fake.script({ tokens: ['Hi', '!'], usage: { promptTokens: 9, completionTokens: 2 } });
      const response = await chat({ stream: false, response_format: { type: 'json_object' } });
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({
        id: expect.stringMatching(/^chatcmpl-/),
        object: 'chat.completion',
        created: expect.any(Number),
        model: 'gpt-4o-mini',
        system_fingerprint: expect.stringMatching(/^fp_/),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hi!', refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: 9,
          completion_tokens: 2,
          total_tokens: 11,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      });
      expect(fake.calls[0]!.body).toMatchObject({ response_format: { type: 'json_object' } });
    });

    it('gathers tool calls with JSON-string arguments and a null content', async () => {
      fake.script({ tokens: [], toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] });
      const body = (await (await chat({ stream: false })).json()) as { choices: Record<string, unknown>[] };
      expect(body.choices[0]).toEqual({
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            {
              id: expect.stringMatching(/^call_/),
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
            },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      });
    });
  });

  describe('errors', () => {
    it('answers an unknown model with the exact model_not_found error', async () => {
      const response = await readAll(await chat({ model: 'gpt-nope' }));
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.text).toBe(
        '{\n    "error": {\n        "message": "The model `gpt-nope` does not exist or you do not have access to it.",\n' +
          '        "type": "invalid_request_error",\n        "param": null,\n        "code": "model_not_found"\n    }\n}\n',
      );
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    });

    it('serves any model name with servesAnyModel, and still lists only its models', async () => {
      const proxy = await startFakeOpenAI({ apiKey: KEY, servesAnyModel: true });
      try {
        const response = await postJson(
          `${proxy.url}/v1/chat/completions`,
          { model: 'some/other-model', messages: [{ role: 'user', content: 'hi' }] },
          AUTH,
        );
        expect(response.status).toBe(200);
        expect(((await response.json()) as { model: string }).model).toBe('some/other-model');
        const listed = (await (await fetch(`${proxy.url}/v1/models`, { headers: AUTH })).json()) as {
          data: { id: string }[];
        };
        expect(listed.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
      } finally {
        await proxy.close();
      }
    });

    it('sends a scripted 429 with retry-after and retry-after-ms', async () => {
      fake.script({ httpError: { status: 429, message: 'slow down', retryAfter: 3, retryAfterMs: 2500 } });
      const response = await readAll(await chat());
      expect(response.status).toBe(429);
      expect(JSON.parse(response.text)).toEqual({
        error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' },
      });
      expect(response.headers.get('retry-after')).toBe('3');
      expect(response.headers.get('retry-after-ms')).toBe('2500');
      expect(response.headers.get('openai-processing-ms')).toMatch(/^\d+$/);
    });

    it('takes type and code from the script', async () => {
      fake.script({
        httpError: {
          status: 400,
          message: 'too long',
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
        },
      });
      expect(await (await chat()).json()).toEqual({
        error: {
          message: 'too long',
          type: 'invalid_request_error',
          param: null,
          code: 'context_length_exceeded',
        },
      });
      fake.script({ httpError: { status: 500 } });
      expect(await (await chat()).json()).toEqual({
        error: {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
      });
    });

    it('rejects stream_options without stream:true, and unknown parameters, with 400', async () => {
      const options = await chat({ stream: false, stream_options: { include_usage: true } });
      expect(options.status).toBe(400);
      expect(await options.json()).toEqual({
        error: {
          message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
          type: 'invalid_request_error',
          param: 'stream_options',
          code: null,
        },
      });
      const unknown = await chat({ top_k: 5 });
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toMatchObject({
        error: { message: 'Unrecognized request argument supplied: top_k' },
      });
      const garbage = await post('/v1/chat/completions', '{not json');
      expect(garbage.status).toBe(400);
      expect(fake.calls).toHaveLength(3);
    });

    it('401s a wrong or missing key', async () => {
      const wrong = await readAll(
        await fetch(`${fake.url}/v1/models`, { headers: { authorization: 'Bearer sk-wrong-key-1234567' } }),
      );
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.text)).toEqual({
        error: {
          message:
            'Incorrect API key provided: sk-wrong********4567. You can find your API key at https://platform.openai.com/account/api-keys.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
      const missing = await readAll(await post('/v1/chat/completions', {}, {}));
      expect(missing.status).toBe(401);
      expect(JSON.parse(missing.text)).toMatchObject({
        error: {
          message: expect.stringMatching(/^You didn't provide an API key/),
          type: 'invalid_request_error',
          code: null,
        },
      });
    });

    it('answers 503 to everything while unhealthy (OpenAI has no health route)', async () => {
      fake.unhealthy = true;
      const response = await fetch(`${fake.url}/v1/models`, { headers: AUTH });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { type: 'server_error' } });
    });

    it('answers an unknown route with Invalid URL', async () => {
      const response = await fetch(`${fake.url}/v1/nope`, { headers: AUTH });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: {
          message: 'Invalid URL (GET /v1/nope)',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    });
  });

  describe('models and embeddings', () => {
    it('lists the models', async () => {
      const response = await fetch(`${fake.url}/v1/models`, { headers: AUTH });
      expect(await response.json()).toEqual({
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model', created: expect.any(Number), owned_by: 'system' },
          { id: 'text-embedding-3-small', object: 'model', created: expect.any(Number), owned_by: 'system' },
        ],
      });
      expect(fake.calls).toHaveLength(0);
    });

    it('embeds as float arrays or as base64 little-endian float32', async () => {
      const floats = await post('/v1/embeddings', {
        model: 'text-embedding-3-small',
        input: ['a', 'b'],
        encoding_format: 'float',
      });
      expect(await floats.json()).toEqual({
        object: 'list',
        data: [
          { object: 'embedding', index: 0, embedding: fakeEmbedding('a') },
          { object: 'embedding', index: 1, embedding: fakeEmbedding('b') },
        ],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 12, total_tokens: 12 },
      });
      const b64 = (await (
        await post('/v1/embeddings', {
          model: 'text-embedding-3-small',
          input: 'a',
          encoding_format: 'base64',
          dimensions: 5,
        })
      ).json()) as { data: { embedding: string }[] };
      const bytes = Buffer.from(b64.data[0]!.embedding, 'base64');
      const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
      expect(decoded).toEqual(fakeEmbedding('a', 5));
    });

    it('works with openai-node: embeddings (base64 by default), streaming with usage, and retry-after-ms', async () => {
      const client = new OpenAI({ apiKey: KEY, baseURL: `${fake.url}/v1`, maxRetries: 2 });
      const embedded = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
      expect(fake.calls[0]!.body).toMatchObject({ encoding_format: 'base64' });
      expect(embedded.data[0]!.embedding).toEqual(fakeEmbedding('hello'));

      fake.script({ httpError: { status: 429, retryAfterMs: 10 } }, { tokens: ['Hi', '!'] });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: unknown;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('Hi!');
      expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 });
      expect(fake.calls).toHaveLength(3);
    });
  });
});
