import { normalise, postJson, readAll, sseData } from './fake-spec-helpers';
import { fakeEmbedding } from './fake-util';
import { startFakeVllm, type FakeVllm } from './fake-vllm';

const KEY = 'vllm-key';
const AUTH = { authorization: `Bearer ${KEY}` };
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

describe('fake vLLM', () => {
  let fake: FakeVllm;
  const post = (path: string, body: unknown, headers: Record<string, string> = AUTH) =>
    postJson(`${fake.url}${path}`, body, headers);
  const chat = (extra: Record<string, unknown> = {}) =>
    post('/v1/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      ...extra,
    });

  beforeAll(async () => {
    fake = await startFakeVllm({ apiKey: KEY });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.legacyErrors = false;
  });

  describe('streamed chat completions', () => {
    it("sends vLLM's chunks byte for byte: no refusal, reasoning deltas, stop_reason, usage only when asked", async () => {
      fake.script({
        reasoning: ['Hmm'],
        tokens: ['Hi', ' there'],
        usage: { promptTokens: 5, completionTokens: 2 },
      });
      const response = await readAll(await chat({ stream_options: { include_usage: true } }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const head = `"id":"ID","object":"chat.completion.chunk","created":0,"model":"${MODEL}"`;
      const choice = (delta: string) =>
        `"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}]`;
      expect(normalise(response.text)).toBe(
        [
          `data: {${head},${choice('{"role":"assistant","content":""}')}}`,
          `data: {${head},${choice('{"reasoning":"Hmm"}')}}`,
          `data: {${head},${choice('{"content":"Hi"}')}}`,
          `data: {${head},${choice('{"content":" there"}')}}`,
          `data: {${head},"choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop","stop_reason":null}]}`,
          `data: {${head},"choices":[],"usage":{"prompt_tokens":5,"total_tokens":7,"completion_tokens":2}}`,
          'data: [DONE]',
          '',
        ].join('\n\n'),
      );
      expect(JSON.parse(sseData(response.text)[0]!)).toMatchObject({
        id: expect.stringMatching(/^chatcmpl-[0-9a-f]{32}$/),
      });
    });

    it('sends no usage chunk without stream_options, and usage on every chunk with continuous_usage_stats', async () => {
      const plain = sseData((await readAll(await chat())).text);
      expect(plain.join('')).not.toContain('usage');
      fake.script({ tokens: ['a', 'b'] });
      const events = sseData(
        (await readAll(await chat({ stream_options: { continuous_usage_stats: true } }))).text,
      );
      const usages = events
        .slice(0, -1)
        .map((data) => (JSON.parse(data) as { usage: { completion_tokens: number } }).usage);
      expect(usages.map((u) => u.completion_tokens)).toEqual([0, 1, 2, 2, 2]);
      expect(usages[0]).toEqual({ prompt_tokens: 12, total_tokens: 12, completion_tokens: 0 });
    });

    it('streams tool calls the vLLM way: the head carries no arguments', async () => {
      fake.script({ tokens: [], toolCalls: [{ name: 'get_weather', arguments: { city: 'Tokyo' } }] });
      const events = sseData((await readAll(await chat())).text).slice(0, -1);
      const choices = events.map(
        (data) => (JSON.parse(data) as { choices: Record<string, unknown>[] }).choices[0]!,
      );
      const calls = choices.flatMap(
        (c) => ((c.delta as { tool_calls?: unknown[] }).tool_calls ?? []) as Record<string, unknown>[],
      );
      expect(calls[0]).toEqual({
        id: expect.stringMatching(/^chatcmpl-tool-[0-9a-f]{32}$/),
        type: 'function',
        index: 0,
        function: { name: 'get_weather' },
      });
      expect(calls.length).toBeGreaterThanOrEqual(3);
      const args = calls.slice(1).map((c) => (c.function as { arguments: string }).arguments);
      expect(JSON.parse(args.join(''))).toEqual({ city: 'Tokyo' });
      expect(choices.at(-1)).toEqual({
        index: 0,
        delta: {},
        logprobs: null,
        finish_reason: 'tool_calls',
        stop_reason: null,
      });
    });

    it('sends an in-stream error as Python json.dumps would, then [DONE], under the 200', async () => {
      fake.script({ tokens: ['one', ' two', ' three'], errorAfterTokens: 1, streamErrorMessage: 'bôom' });
      const response = await readAll(await chat());
      expect(response.status).toBe(200);
      expect(
        response.text.endsWith(
          'data: {"error": {"message": "b\\u00f4om", "type": "InternalServerError", "param": null, "code": 500}}\n\n' +
            'data: [DONE]\n\n',
        ),
      ).toBe(true);
      fake.legacyErrors = true;
      fake.script({ tokens: ['one'], errorAfterTokens: 0, streamErrorMessage: 'boom' });
      const legacy = sseData((await readAll(await chat())).text);
      expect(legacy.slice(-2)).toEqual([
        '{"error": {"object": "error", "message": "boom", "type": "InternalServerError", "param": null, "code": 500}}',
        '[DONE]',
      ]);
    });

    it('accepts and records unknown fields silently', async () => {
      const response = await readAll(
        await chat({ top_k: 5, chat_template_kwargs: { enable_thinking: false }, made_up_field: true }),
      );
      expect(response.status).toBe(200);
      expect(fake.calls[0]!.body).toMatchObject({ top_k: 5, made_up_field: true });
    });
  });

  it("answers a non-streamed chat.completion with vLLM's extra fields", async () => {
    fake.script({
      tokens: ['Hi', '!'],
      reasoning: ['think'],
      usage: { promptTokens: 3, completionTokens: 2 },
    });
    const response = await chat({ stream: false });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: MODEL,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hi!',
            refusal: null,
            annotations: null,
            audio: null,
            function_call: null,
            reasoning: 'think',
          },
          logprobs: null,
          finish_reason: 'stop',
          stop_reason: null,
          token_ids: null,
        },
      ],
      service_tier: null,
      system_fingerprint: null,
      usage: { prompt_tokens: 3, total_tokens: 5, completion_tokens: 2, prompt_tokens_details: null },
      prompt_logprobs: null,
      prompt_token_ids: null,
      kv_transfer_params: null,
    });
  });

  describe('errors', () => {
    it('answers an unknown model with 404 and the integer code, or the legacy flat shape', async () => {
      const current = await readAll(await chat({ model: 'nope' }));
      expect(current.status).toBe(404);
      expect(current.text).toBe(
        '{"error":{"message":"The model `nope` does not exist.","type":"NotFoundError","param":"model","code":404}}',
      );
      fake.legacyErrors = true;
      const legacy = await readAll(await chat({ model: 'nope' }));
      expect(legacy.text).toBe(
        '{"object":"error","message":"The model `nope` does not exist.","type":"NotFoundError","param":null,"code":404}',
      );
    });

    it('sends scripted errors with a type named after the status, and the retry headers', async () => {
      fake.script(
        { httpError: { status: 429, message: 'slow down', retryAfter: 1, retryAfterMs: 900 } },
        { httpError: { status: 400, message: 'bad' } },
        { httpError: { status: 500 } },
      );
      const limited = await readAll(await chat());
      expect([limited.status, limited.text]).toEqual([
        429,
        '{"error":{"message":"slow down","type":"TooManyRequestsError","param":null,"code":429}}',
      ]);
      expect([limited.headers.get('retry-after'), limited.headers.get('retry-after-ms')]).toEqual([
        '1',
        '900',
      ]);
      expect(await (await chat()).json()).toEqual({
        error: { message: 'bad', type: 'BadRequestError', param: null, code: 400 },
      });
      expect(await (await chat()).json()).toMatchObject({
        error: { type: 'InternalServerError', code: 500 },
      });
    });

    it('rejects stream_options without stream, and a body that does not validate, with 400 (not 422)', async () => {
      const options = await chat({ stream: false, stream_options: { include_usage: true } });
      expect(options.status).toBe(400);
      expect(await options.json()).toEqual({
        error: {
          message: 'Stream options can only be defined when `stream=True`.',
          type: 'BadRequestError',
          param: null,
          code: 400,
        },
      });
      expect((await post('/v1/chat/completions', { model: MODEL })).status).toBe(400);
    });

    it('checks the key on /v1 only, answering {"error":"Unauthorized"}', async () => {
      const denied = await readAll(await post('/v1/chat/completions', {}, { authorization: 'Bearer wrong' }));
      expect([denied.status, denied.text]).toEqual([401, '{"error":"Unauthorized"}']);
      expect((await fetch(`${fake.url}/v1/models`)).status).toBe(401);
      expect((await fetch(`${fake.url}/health`)).status).toBe(200);
      expect((await fetch(`${fake.url}/metrics`)).status).toBe(200);
    });
  });

  describe('server endpoints', () => {
    it('/health and /ping answer 200 with an empty body, 503 while unhealthy', async () => {
      const healthy = await readAll(await fetch(`${fake.url}/health`));
      expect([healthy.status, healthy.text, healthy.headers.get('content-length')]).toEqual([200, '', '0']);
      expect((await fetch(`${fake.url}/ping`, { method: 'POST' })).status).toBe(200);
      fake.unhealthy = true;
      const sick = await readAll(await fetch(`${fake.url}/health`));
      expect([sick.status, sick.text]).toEqual([503, '']);
      expect((await fetch(`${fake.url}/ping`)).status).toBe(503);
      expect((await readAll(await chat())).status).toBe(200);
    });

    it('lists models with owned_by vllm, root, parent, max_model_len and permission', async () => {
      const body = (await (await fetch(`${fake.url}/v1/models`, { headers: AUTH })).json()) as {
        data: unknown[];
      };
      expect(body).toEqual({ object: 'list', data: [expect.any(Object)] });
      expect(body.data[0]).toEqual({
        id: MODEL,
        object: 'model',
        created: expect.any(Number),
        owned_by: 'vllm',
        root: MODEL,
        parent: null,
        max_model_len: 8192,
        permission: [
          expect.objectContaining({ object: 'model_permission', allow_sampling: true, organization: '*' }),
        ],
      });
    });

    it('reports the version and Prometheus metrics with the requests in flight', async () => {
      expect(await (await fetch(`${fake.url}/version`)).json()).toEqual({ version: expect.any(String) });
      fake.script({ stallBeforeFirstTokenMs: Infinity });
      const controller = new AbortController();
      const stalled = await postJson(
        `${fake.url}/v1/chat/completions`,
        { model: MODEL, messages: [], stream: true },
        AUTH,
        controller.signal,
      );
      fake.metrics.numRequestsWaiting = 3;
      const metrics = await readAll(await fetch(`${fake.url}/metrics`));
      expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const labels = `{model_name="${MODEL}",engine="0"}`;
      expect(metrics.text).toContain('# TYPE vllm:num_requests_running gauge\n');
      expect(metrics.text).toContain(`vllm:num_requests_running${labels} 1.0\n`);
      expect(metrics.text).toContain(`vllm:num_requests_waiting${labels} 3.0\n`);
      expect(metrics.text).toContain(`vllm:kv_cache_usage_perc${labels} 0.0\n`);
      controller.abort();
      await stalled.body?.cancel().catch(() => undefined);
      await fake.waitForAbort(fake.calls[0]!);
      fake.metrics.numRequestsWaiting = 0;
      expect((await readAll(await fetch(`${fake.url}/metrics`))).text).toContain(
        `vllm:num_requests_running${labels} 0.0\n`,
      );
    });

    it('embeds with the chat model, the model field optional, floats or base64', async () => {
      const floats = (await (await post('/v1/embeddings', { input: ['x'] })).json()) as Record<
        string,
        unknown
      >;
      expect(floats).toEqual({
        id: expect.stringMatching(/^embd-/),
        object: 'list',
        created: expect.any(Number),
        model: MODEL,
        data: [{ index: 0, object: 'embedding', embedding: fakeEmbedding('x') }],
        usage: { prompt_tokens: 12, total_tokens: 12, completion_tokens: 0, prompt_tokens_details: null },
      });
      const b64 = (await (
        await post('/v1/embeddings', { model: MODEL, input: 'x', encoding_format: 'base64' })
      ).json()) as { data: { embedding: string }[] };
      const bytes = Buffer.from(b64.data[0]!.embedding, 'base64');
      expect(Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4))).toEqual(
        fakeEmbedding('x'),
      );
    });

    it('answers unknown routes and methods the FastAPI way', async () => {
      const missing = await readAll(await fetch(`${fake.url}/nope`));
      expect([missing.status, missing.text]).toEqual([404, '{"detail":"Not Found"}']);
      const method = await readAll(await fetch(`${fake.url}/health`, { method: 'DELETE' }));
      expect([method.status, method.text]).toEqual([405, '{"detail":"Method Not Allowed"}']);
    });
  });
});
