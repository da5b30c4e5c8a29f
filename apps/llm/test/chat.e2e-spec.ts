import OpenAI from 'openai';
import {
  startFakeOllama,
  startFakeOpenAI,
  startFakeVllm,
  type FakeOllama,
  type FakeOpenAI,
  type FakeVllm,
} from '@sluice/llm-provider/testing';
import { AUTH, jsonEvents, postJson, readEvents } from './support/http';
import { startGateway, TOKEN, type TestGateway } from './support/gateway';

const OPENAI_KEY = 'sk-upstream-0123456789abcdef';
const USER = [{ role: 'user' as const, content: 'Say hello' }];
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

describe('POST /v1/chat/completions', () => {
  let ollama: FakeOllama;
  let upstreamOpenAI: FakeOpenAI;
  let vllm: FakeVllm;
  let gateway: TestGateway;
  let client: OpenAI;
  const url = () => `${gateway.url}/v1/chat/completions`;

  beforeAll(async () => {
    [ollama, upstreamOpenAI, vllm] = await Promise.all([
      startFakeOllama(),
      startFakeOpenAI({ apiKey: OPENAI_KEY }),
      startFakeVllm(),
    ]);
    gateway = await startGateway({
      env: {
        LLM_PROVIDER: 'ollama',
        OLLAMA_BASE_URL: ollama.url,
        OPENAI_BASE_URL: `${upstreamOpenAI.url}/v1`,
        OPENAI_API_KEY: OPENAI_KEY,
        VLLM_BASE_URL: `${vllm.url}/v1`,
        // The gateway's own behaviour, without the library's retries and breaker in between.
        LLM_MAX_RETRIES: '0',
        LLM_BREAKER_FAILURES: '0',
        LLM_SSE_KEEPALIVE_MS: '300',
      },
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([ollama?.close(), upstreamOpenAI?.close(), vllm?.close()]);
  });

  beforeEach(() => {
    ollama.reset();
    upstreamOpenAI.reset();
    vllm.reset();
  });

  describe('through the official openai client', () => {
    it('streams the text, the finish reason and the usage chunk', async () => {
      ollama.script({ tokens: ['Hel', 'lo', ' there'], usage: { promptTokens: 9, completionTokens: 3 } });
      const stream = await client.chat.completions.create({
        model: 'llama3.2:latest',
        messages: USER,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: Chunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);

      const choices = chunks.flatMap((chunk) => chunk.choices);
      expect(choices.map((choice) => choice.delta.content ?? '').join('')).toBe('Hello there');
      expect(choices.filter((choice) => choice.finish_reason).map((c) => c.finish_reason)).toEqual(['stop']);
      expect(chunks.at(-1)).toMatchObject({
        choices: [],
        usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
      });
      expect(new Set(chunks.map((c) => `${c.id} ${c.created} ${c.model}`))).toEqual(
        new Set([`${chunks[0]!.id} ${chunks[0]!.created} llama3.2:latest`]),
      );
      expect(chunks[0]!.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
      expect(chunks[0]!.object).toBe('chat.completion.chunk');
    });

    it('answers a non-streamed chat.completion with usage', async () => {
      ollama.script({ tokens: ['Hi', '!'], usage: { promptTokens: 5, completionTokens: 2 } });
      const completion = await client.chat.completions.create({ model: 'llama3.2:latest', messages: USER });
      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: 'llama3.2:latest',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      });
      expect(completion.id).toMatch(/^chatcmpl-/);
      expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(5);
    });

    it('streams a tool call that the client assembles, and passes the tools upstream', async () => {
      upstreamOpenAI.script({
        tokens: [],
        toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
      });
      const runner = client.chat.completions.stream({
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Current weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
          },
        ],
        tool_choice: 'auto',
      });
      const completion = await runner.finalChatCompletion();
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe('tool_calls');
      const call = choice.message.tool_calls?.[0];
      expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      expect(call?.id).toEqual(expect.any(String));
      expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).toEqual({ city: 'Paris' });

      const upstream = upstreamOpenAI.calls[0]!.body as Record<string, unknown>;
      expect(upstream).toMatchObject({
        model: 'gpt-4o-mini',
        tool_choice: 'auto',
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather' } }],
      });
    });

    it('answers a non-streamed tool call with content null', async () => {
      ollama.script({ tokens: [], toolCalls: [{ name: 'lookup', arguments: { id: 7 } }] });
      const completion = await client.chat.completions.create({
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: 'Look up 7' }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      });
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      expect(choice.message.tool_calls).toEqual([
        { id: expect.any(String), type: 'function', function: { name: 'lookup', arguments: '{"id":7}' } },
      ]);
    });

    it('sends response_format json_schema on to the upstream', async () => {
      const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
      upstreamOpenAI.script({ tokens: ['{"answer":"yes"}'] });
      ollama.script({ tokens: ['{"answer":"yes"}'] });
      for (const model of ['openai/gpt-4o-mini', 'llama3.2:latest']) {
        const completion = await client.chat.completions.create({
          model,
          messages: USER,
          response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
        });
        expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ answer: 'yes' });
      }
      expect(upstreamOpenAI.calls[0]!.body).toMatchObject({
        response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
      });
      expect(ollama.calls[0]!.body).toMatchObject({ format: schema });
    });

    it('streams reasoning as delta.reasoning and returns it in the message', async () => {
      vllm.script(
        { reasoning: ['Thinking', ' hard'], tokens: ['Yes'] },
        { reasoning: ['Thinking'], tokens: ['Yes'] },
      );
      const stream = await client.chat.completions.create({
        model: 'vllm/meta-llama/Llama-3.1-8B-Instruct',
        messages: USER,
        stream: true,
      });
      const deltas: Record<string, unknown>[] = [];
      for await (const chunk of stream)
        deltas.push(...chunk.choices.map((c) => c.delta as Record<string, unknown>));
      expect(deltas.filter((d) => d.reasoning).map((d) => d.reasoning)).toEqual(['Thinking', ' hard']);
      expect(deltas.findIndex((d) => d.reasoning)).toBeLessThan(deltas.findIndex((d) => d.content === 'Yes'));

      const completion = await client.chat.completions.create({
        model: 'vllm/meta-llama/Llama-3.1-8B-Instruct',
        messages: USER,
      });
      expect(completion.choices[0]!.message).toMatchObject({ content: 'Yes', reasoning: 'Thinking' });
    });
  });

  describe('what reaches the upstream', () => {
    it('maps roles, content parts, images, tool messages and sampling fields; passes the request id', async () => {
      const response = await postJson(
        url(),
        {
          model: 'llama3.2:latest',
          messages: [
            { role: 'developer', content: 'Be brief.' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is in the picture?' },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
              ],
            },
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } }],
            },
            { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
          ],
          temperature: 0.3,
          top_p: 0.8,
          top_k: 20,
          max_completion_tokens: 64,
          stop: 'END',
          seed: 42,
          presence_penalty: 0.1,
          frequency_penalty: 0.2,
        },
        { ...AUTH, 'x-request-id': 'req-map-1' },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('req-map-1');
      const call = ollama.calls[0]!;
      expect(call.headers['x-request-id']).toBe('req-map-1');
      expect(call.body).toMatchObject({
        model: 'llama3.2:latest',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'What is in the picture?', images: [PNG] },
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'look', arguments: {} } }] },
          { role: 'tool', content: 'a cat', tool_name: 'look' },
        ],
        options: {
          temperature: 0.3,
          top_p: 0.8,
          top_k: 20,
          num_predict: 64,
          stop: ['END'],
          seed: 42,
          presence_penalty: 0.1,
          frequency_penalty: 0.2,
        },
      });
    });
  });

  describe('over raw HTTP with a real SSE parser', () => {
    it('sends the exact OpenAI chunk sequence, usage chunk with choices [] and [DONE] last', async () => {
      ollama.script({ tokens: ['A', 'B'], usage: { promptTokens: 4, completionTokens: 2 } });
      const response = await postJson(url(), {
        model: 'llama3.2:latest',
        messages: USER,
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
      const { events } = await readEvents(response);
      expect(events.at(-1)).toEqual({ event: 'message', data: '[DONE]' });
      const chunks = jsonEvents(events);
      expect(chunks.map(({ choices, usage }) => ({ choices, usage }))).toEqual([
        {
          choices: [
            { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
          ],
          usage: null,
        },
        {
          choices: [{ index: 0, delta: { content: 'A' }, logprobs: null, finish_reason: null }],
          usage: null,
        },
        {
          choices: [{ index: 0, delta: { content: 'B' }, logprobs: null, finish_reason: null }],
          usage: null,
        },
        { choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
        { choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } },
      ]);
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({
          id: chunks[0]!.id,
          object: 'chat.completion.chunk',
          model: 'llama3.2:latest',
        });
      }
    });

    it('leaves the usage chunk out unless include_usage is asked for', async () => {
      const response = await postJson(url(), { model: 'llama3.2:latest', messages: USER, stream: true });
      const chunks = jsonEvents((await readEvents(response)).events);
      expect(chunks.every((chunk) => (chunk.choices as unknown[]).length === 1 && !('usage' in chunk))).toBe(
        true,
      );
    });

    it('streams each tool call as one indexed fragment with id, type and name', async () => {
      upstreamOpenAI.script({
        tokens: [],
        toolCalls: [
          { name: 'a', arguments: { x: 1 } },
          { name: 'b', arguments: {} },
        ],
      });
      const response = await postJson(url(), {
        model: 'openai/gpt-4o-mini',
        messages: USER,
        stream: true,
        tools: [
          { type: 'function', function: { name: 'a', parameters: { type: 'object' } } },
          { type: 'function', function: { name: 'b', parameters: { type: 'object' } } },
        ],
      });
      const deltas = jsonEvents((await readEvents(response)).events).map(
        (chunk) => (chunk.choices as { delta: Record<string, unknown>; finish_reason: string | null }[])[0],
      );
      expect(deltas.slice(1)).toEqual([
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: expect.any(String),
                type: 'function',
                function: { name: 'a', arguments: '{"x":1}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 1,
                id: expect.any(String),
                type: 'function',
                function: { name: 'b', arguments: '{}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
        { index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' },
      ]);
    });

    it('ends a stream the upstream cut with an in-stream error, no [DONE] and no clean end', async () => {
      ollama.script({ tokens: ['one', ' two', ' three'], cutAfterTokens: 2 });
      const response = await postJson(url(), { model: 'llama3.2:latest', messages: USER, stream: true });
      expect(response.status).toBe(200);
      const { events, text, cut } = await readEvents(response);
      expect(text).not.toContain('[DONE]');
      // The connection closes after the error event: a client reading only the text still fails.
      expect(cut).toBe(true);
      const last = JSON.parse(events.at(-1)!.data) as Record<string, unknown>;
      expect(last).toEqual({
        error: { message: expect.any(String), type: 'server_error', param: null, code: 'upstream_error' },
      });
      const texts = jsonEvents(events.slice(0, -1)).map(
        (chunk) => (chunk.choices as { delta: { content?: string } }[])[0]!.delta.content,
      );
      expect(texts).toEqual(['', 'one', ' two']);
    });

    it('makes the official client throw on an in-stream error after the text it kept', async () => {
      upstreamOpenAI.script({
        tokens: ['Partial', ' answer', ' never'],
        errorAfterTokens: 2,
        streamErrorMessage: 'GPU fell over',
      });
      const stream = await client.chat.completions.create({
        model: 'openai/gpt-4o-mini',
        messages: USER,
        stream: true,
      });
      let text = '';
      const failure = await (async () => {
        try {
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(text).toBe('Partial answer');
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      // The upstream's own words stay in the gateway's log; the caller gets a sentence and the request id.
      const message = (failure as InstanceType<typeof OpenAI.APIError>).message;
      expect(message).toMatch(/The model server failed while answering\. \(request id [\w-]+\)/);
      expect(message).not.toContain('GPU fell over');
    });

    it('answers a real HTTP error when the upstream fails before the first token', async () => {
      upstreamOpenAI.script({ tokens: ['never'], errorAfterTokens: 0, streamErrorMessage: 'model crashed' });
      const response = await postJson(url(), { model: 'openai/gpt-4o-mini', messages: USER, stream: true });
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        error: {
          message: expect.stringMatching(/^The model server failed while answering\. \(request id /),
          type: 'server_error',
          param: null,
          code: 'upstream_error',
        },
      });
    });

    it('passes an upstream 429 on with its retry-after', async () => {
      ollama.script(
        { httpError: { status: 429, retryAfter: 30, message: 'slow down' } },
        { httpError: { status: 429, retryAfter: 30, message: 'slow down' } },
      );
      const streamed = await postJson(url(), { model: 'llama3.2:latest', messages: USER, stream: true });
      expect(streamed.status).toBe(429);
      expect(streamed.headers.get('retry-after')).toBe('30');
      // Longer than the gateway waits itself: it did not retry, so the caller may once the wait is over.
      expect(streamed.headers.get('x-should-retry')).toBe('true');
      expect(await streamed.json()).toEqual({
        error: {
          message: expect.stringMatching(/^The model server is busy\./),
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      });

      const failure = await client.chat.completions
        .create({ model: 'llama3.2:latest', messages: USER })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
      const rateLimit = failure as InstanceType<typeof OpenAI.RateLimitError>;
      expect(rateLimit.status).toBe(429);
      expect(rateLimit.headers?.get('retry-after')).toBe('30');
      expect(rateLimit.code).toBe('rate_limit_exceeded');
    });

    it('answers 404 model_not_found for a model the upstream does not have', async () => {
      const streamed = await postJson(url(), { model: 'no-such-model:7b', messages: USER, stream: true });
      expect(streamed.status).toBe(404);
      expect(await streamed.json()).toEqual({
        error: {
          message: expect.any(String),
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      });
      const failure = await client.chat.completions
        .create({ model: 'vllm/no-such-model', messages: USER })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
      expect((failure as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    });

    it('closes the upstream request when the client disconnects', async () => {
      ollama.script({ tokens: Array.from({ length: 100 }, (_, i) => `t${i} `), delayMs: 30 });
      const controller = new AbortController();
      const response = await postJson(
        url(),
        { model: 'llama3.2:latest', messages: USER, stream: true },
        AUTH,
        controller.signal,
      );
      const reader = response.body!.getReader();
      let seen = '';
      while (!seen.includes('t1 ')) seen += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      const upstream = await ollama.waitForRequests(1);
      const aborted = await ollama.waitForAbort(upstream[0]!, 1_000);
      expect(aborted.aborted).toBe(true);
    });

    it('keeps an idle stream alive with SSE comments and still finishes it', async () => {
      ollama.script({ tokens: ['a', 'b'], stallAfter: { tokens: 1, ms: 800 } });
      const response = await postJson(url(), { model: 'llama3.2:latest', messages: USER, stream: true });
      const { events, text } = await readEvents(response);
      expect(text).toMatch(/"content":"a"[^\n]*\n\n(: keep-alive\n\n){2,}data: /);
      expect(events.at(-1)!.data).toBe('[DONE]');
    });

    it('sends the headers after one keep-alive interval when the first token is slow', async () => {
      ollama.script({ tokens: ['late'], stallBeforeFirstTokenMs: 900 });
      const started = performance.now();
      const response = await postJson(url(), { model: 'llama3.2:latest', messages: USER, stream: true });
      expect(performance.now() - started).toBeLessThan(800);
      expect(response.status).toBe(200);
      const { events, text } = await readEvents(response);
      expect(text.indexOf(': keep-alive')).toBeLessThan(text.indexOf('"content":"late"'));
      expect(events.at(-1)!.data).toBe('[DONE]');
    });
  });

  describe('invalid requests', () => {
    it("answers 400 in OpenAI's shape, naming the parameter", async () => {
      const failure = await client.chat.completions
        .create({ model: 'llama3.2:latest', messages: USER, n: 2 })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      expect((failure as InstanceType<typeof OpenAI.BadRequestError>).error).toEqual({
        message: expect.stringContaining('only n=1 is supported'),
        type: 'invalid_request_error',
        param: 'n',
        code: null,
      });

      const remote = await postJson(url(), {
        model: 'llama3.2:latest',
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
        ],
      });
      expect(remote.status).toBe(400);
      expect(await remote.json()).toMatchObject({ error: { param: 'messages[0].content[0].image_url.url' } });
      expect(ollama.calls).toHaveLength(0);
    });

    it('answers a body that is not JSON, poisons a prototype, is a form or is too large, in the same shape', async () => {
      const broken = await postJson(url(), '{"model": ');
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ error: { type: 'invalid_request_error' } });

      const huge = await postJson(url(), {
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }],
      });
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.any(String) },
      });

      // Prototype poisoning is refused, not parsed into the request.
      const poisoned = await postJson(
        url(),
        '{"model": "llama3.2:latest", "messages": [], "__proto__": {"stream": true}}',
      );
      expect(poisoned.status).toBe(400);
      expect(await poisoned.json()).toMatchObject({ error: { type: 'invalid_request_error' } });

      const form = await fetch(url(), {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'model=llama3.2%3Alatest',
      });
      expect(form.status).toBe(415);
      expect(await form.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
      expect(ollama.calls).toHaveLength(0);
    });

    it('answers an unknown route with 404 in the same shape', async () => {
      const response = await fetch(`${gateway.url}/v1/completions/legacy`, { headers: AUTH });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: {
          message: 'Unknown route: GET /v1/completions/legacy',
          type: 'invalid_request_error',
          param: null,
          code: 'unknown_url',
        },
      });
    });
  });
});
