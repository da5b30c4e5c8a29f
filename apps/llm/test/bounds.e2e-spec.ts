import { MAX_JSON_DEPTH, MODEL_ID_MAX_LENGTH } from '@sluice/contracts';
import { startFakeOllama, type FakeOllama } from '@sluice/llm-provider/testing';
import { AUTH, postJson } from './support/http';
import { eventually, requestLines, startGateway, type TestGateway } from './support/gateway';

const USER = [{ role: 'user', content: 'hi' }];

/** `depth` nested arrays: `[[[…]]]`. */
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Where `deepBody` puts the nesting. */
const DEEP = '__DEEP__';

/** `body` as JSON with `depth` nested arrays in place of the string `DEEP`, padded to `bytes` with a second message. */
function deepBody(body: Record<string, unknown>, depth: number, bytes = 0): string {
  const text = JSON.stringify(body).replace(`"${DEEP}"`, nestedArrays(depth));
  const padding = Math.max(0, bytes - text.length - 29);
  return text.replace('"messages":[', `"messages":[{"role":"user","content":"${'x'.repeat(padding)}"},`);
}

interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

describe('bounds on what a caller sends', () => {
  let ollama: FakeOllama;
  let gateway: TestGateway;
  const chat = () => `${gateway.url}/v1/chat/completions`;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    gateway = await startGateway({ env: { OLLAMA_BASE_URL: ollama.url, LLM_MAX_RETRIES: '0' } });
  });
  afterAll(async () => {
    await gateway?.close();
    await ollama?.close();
  });
  beforeEach(() => ollama.reset());

  describe('JSON nesting depth', () => {
    it.each([
      [
        'tools[0].function.parameters',
        (deep: string) => ({
          tools: [{ type: 'function', function: { name: 'f', parameters: { a: deep } } }],
        }),
      ],
      [
        'response_format.json_schema.schema',
        (deep: string) => ({
          response_format: { type: 'json_schema', json_schema: { name: 's', schema: { a: deep } } },
        }),
      ],
    ])(
      'refuses a 120 KB body nested 20,000 levels deep in %s, fast, before any upstream call',
      async (_where, place) => {
        const padded = deepBody(
          { model: 'llama3.2:latest', messages: USER, ...place(DEEP) },
          20_000,
          120_000,
        );
        expect(padded.length).toBeGreaterThanOrEqual(120_000);

        const started = performance.now();
        const response = await postJson(chat(), padded);
        const elapsed = performance.now() - started;
        expect(response.status).toBe(400);
        const error = ((await response.json()) as OpenAiError).error;
        expect(error.type).toBe('invalid_request_error');
        expect(error.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
        expect(elapsed).toBeLessThan(1_000);
        expect(ollama.calls).toHaveLength(0);
      },
    );

    it('accepts a schema exactly at the limit', async () => {
      // The body object, tools, the tool, function, parameters: five levels before `a`.
      const body = {
        model: 'llama3.2:latest',
        messages: USER,
        tools: [{ type: 'function', function: { name: 'f', parameters: { a: DEEP } } }],
      };
      expect((await postJson(chat(), deepBody(body, MAX_JSON_DEPTH - 5))).status).toBe(200);
      expect((await postJson(chat(), deepBody(body, MAX_JSON_DEPTH - 4))).status).toBe(400);
    });

    it('refuses a deep embeddings body the same way', async () => {
      const response = await postJson(
        `${gateway.url}/v1/embeddings`,
        `{"model":"nomic-embed-text:latest","input":${nestedArrays(5_000)}}`,
      );
      expect(response.status).toBe(400);
      expect(((await response.json()) as OpenAiError).error.type).toBe('invalid_request_error');
    });

    it('still refuses a poisoned prototype and a form, and reads brackets inside strings as text', async () => {
      const poisoned = await postJson(
        chat(),
        '{"model":"llama3.2:latest","messages":[],"__proto__":{"x":1}}',
      );
      expect(poisoned.status).toBe(400);
      const form = await fetch(chat(), {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'model=llama3.2',
      });
      expect(form.status).toBe(415);
      const brackets = await postJson(chat(), {
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: nestedArrays(10_000) }],
      });
      expect(brackets.status).toBe(200);
    });
  });

  it('refuses embedding dimensions no model has, before the upstream sizes a vector by them', async () => {
    const response = await postJson(`${gateway.url}/v1/embeddings`, {
      model: 'nomic-embed-text:latest',
      input: 'x',
      dimensions: Number.MAX_SAFE_INTEGER,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as OpenAiError).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'dimensions',
    });
    expect(ollama.calls).toHaveLength(0);
  });

  describe('model ids', () => {
    it.each([
      ['a line break', 'llama3.2:latest\r\nx-injected: yes'],
      ['a NUL', 'llama3.2:latest\u0000'],
      ['an emoji', 'llama🦙'],
      ['a space', 'llama 3'],
      ['too many characters', 'x'.repeat(MODEL_ID_MAX_LENGTH + 1)],
    ])(
      'refuses a model id with %s: 400 naming model, no upstream call, nothing of it logged',
      async (_what, model) => {
        const requestId = `bad-model-${Math.random().toString(36).slice(2)}`;
        for (const [path, body] of [
          ['/v1/chat/completions', { model, messages: USER }],
          ['/v1/chat/completions', { model, messages: USER, stream: true }],
          ['/v1/embeddings', { model, input: 'x' }],
        ] as const) {
          const response = await postJson(`${gateway.url}${path}`, body, {
            ...AUTH,
            'x-request-id': requestId,
          });
          expect(response.status).toBe(400);
          expect(response.headers.get('x-sluice-model')).toBeNull();
          const error = ((await response.json()) as OpenAiError).error;
          expect(error).toMatchObject({ type: 'invalid_request_error', param: 'model' });
        }
        expect(ollama.calls).toHaveLength(0);
        const lines = await eventually(() => {
          const found = requestLines(gateway).filter((line) => line.requestId === requestId);
          return found.length === 3 ? found : undefined;
        });
        for (const line of lines) expect(line).toMatchObject({ status: 400, outcome: 'bad_request' });
        expect(gateway.rawLogs()).not.toContain(model.slice(0, 200));
      },
    );

    it('takes the longest id, trimmed, and echoes it back', async () => {
      ollama.models.push({ id: 'x'.repeat(MODEL_ID_MAX_LENGTH) });
      try {
        const response = await postJson(chat(), {
          model: ` ${'x'.repeat(MODEL_ID_MAX_LENGTH)} `,
          messages: USER,
        });
        expect(response.status).toBe(200);
        expect(((await response.json()) as { model: string }).model).toBe('x'.repeat(MODEL_ID_MAX_LENGTH));
      } finally {
        ollama.models.pop();
      }
    });
  });
});

describe('log lines stay bounded, whatever the caller or the upstream sends', () => {
  it('cuts the logged prompt and an upstream error message', async () => {
    const ollama = await startFakeOllama();
    const gateway = await startGateway({ env: { OLLAMA_BASE_URL: ollama.url, LLM_LOG_PROMPTS: 'true' } });
    try {
      const huge = 'p'.repeat(1_000_000);
      const messages = [
        ...Array.from({ length: 500 }, () => ({ role: 'user', content: 'again' })),
        { role: 'user', content: huge },
      ];
      ollama.script({
        tokens: ['a'],
        errorAfterTokens: 1,
        streamErrorMessage: `upstream says ${'u'.repeat(500_000)}`,
      });
      const response = await postJson(`${gateway.url}/v1/chat/completions`, {
        model: 'llama3.2:latest',
        messages,
        stream: true,
      });
      // The stream fails after its first token: the gateway cuts the connection after the error.
      await expect(response.text()).rejects.toThrow('terminated');
      const line = await eventually(() =>
        requestLines(gateway).find((l) => l.endpoint === 'chat_completions'),
      );
      expect(line.prompt).toHaveLength(21);
      expect((line.prompt as unknown[])[0]).toEqual({ omitted: 481 });
      const longest = Math.max(
        ...gateway
          .rawLogs()
          .split('\n')
          .map((l) => l.length),
      );
      expect(longest).toBeLessThan(32 * 1024);
      expect(gateway.rawLogs()).toContain('upstream says uuu');
    } finally {
      await gateway.close();
      await ollama.close();
    }
  });
});
