import { startFakeOllama, type FakeOllama } from './fake-ollama';
import { ndjsonRecords, normalise, postJson, readAll, requestError } from './fake-spec-helpers';
import { fakeEmbedding } from './fake-util';

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$/;

describe('fake Ollama', () => {
  let fake: FakeOllama;
  const post = (path: string, body: unknown) => postJson(`${fake.url}${path}`, body);
  const chat = (extra: Record<string, unknown> = {}) =>
    post('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], ...extra });

  beforeAll(async () => {
    fake = await startFakeOllama();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  describe('/api/chat', () => {
    it('streams NDJSON by default, byte for byte', async () => {
      fake.script({
        reasoning: ['Hmm'],
        tokens: ['Hi', ' there'],
        usage: { promptTokens: 5, completionTokens: 2 },
      });
      const response = await readAll(await chat());
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-ndjson');
      expect(response.headers.get('content-length')).toBeNull();
      expect(normalise(response.text)).toBe(
        [
          '{"model":"llama3.2","created_at":"T","message":{"role":"assistant","content":"","thinking":"Hmm"},"done":false}',
          '{"model":"llama3.2","created_at":"T","message":{"role":"assistant","content":"Hi"},"done":false}',
          '{"model":"llama3.2","created_at":"T","message":{"role":"assistant","content":" there"},"done":false}',
          '{"model":"llama3.2","created_at":"T","message":{"role":"assistant","content":""},"done":true,' +
            '"done_reason":"stop","total_duration":0,"load_duration":1334875,"prompt_eval_count":5,' +
            '"prompt_eval_duration":7500000,"eval_count":2,"eval_duration":40000000}',
          '',
        ].join('\n'),
      );
      const records = ndjsonRecords(response.text);
      for (const record of records) expect(record.created_at).toMatch(RFC3339_NANO);
      expect(Number.isInteger(records.at(-1)!.total_duration)).toBe(true);
    });

    it('leaves out zero counts (Go omitempty) and maps a length finish', async () => {
      fake.script({ tokens: ['a'], usage: { promptTokens: 0, completionTokens: 1 }, finishReason: 'length' });
      const last = ndjsonRecords((await readAll(await chat())).text).at(-1)!;
      expect(last).toMatchObject({ done: true, done_reason: 'length', eval_count: 1 });
      expect(last).not.toHaveProperty('prompt_eval_count');
      expect(last).not.toHaveProperty('prompt_eval_duration');
    });

    it('escapes <, > and & the way Go does', async () => {
      fake.script({ tokens: ['<b>&'] });
      const { text } = await readAll(await chat());
      expect(text).toContain('"content":"\\u003cb\\u003e\\u0026"');
      expect(ndjsonRecords(text)[0]).toMatchObject({ message: { content: '<b>&' } });
    });

    it('sends tool calls complete in one chunk, arguments as objects, with function.index', async () => {
      fake.script({
        tokens: [],
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Tokyo' } },
          { name: 'get_time', arguments: { zone: 'JST' } },
        ],
      });
      const records = ndjsonRecords((await readAll(await chat())).text);
      expect(records).toHaveLength(2);
      expect(records[0]).toEqual({
        model: 'llama3.2',
        created_at: expect.any(String),
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: expect.stringMatching(/^call_[a-z0-9]{8}$/),
              function: { index: 0, name: 'get_weather', arguments: { city: 'Tokyo' } },
            },
            {
              id: expect.stringMatching(/^call_/),
              function: { index: 1, name: 'get_time', arguments: { zone: 'JST' } },
            },
          ],
        },
        done: false,
      });
      expect(records[1]).toMatchObject({ done: true, done_reason: 'stop' });
    });

    it('answers stream:false with one JSON object gathering content, thinking and tool calls', async () => {
      fake.script({
        reasoning: ['Let me', ' see'],
        tokens: ['Sunny', '.'],
        toolCalls: [{ name: 'get_weather', arguments: { city: 'Tokyo' } }],
        usage: { promptTokens: 9, completionTokens: 3 },
      });
      const response = await chat({ stream: false });
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.json()).toEqual({
        model: 'llama3.2',
        created_at: expect.stringMatching(RFC3339_NANO),
        message: {
          role: 'assistant',
          content: 'Sunny.',
          thinking: 'Let me see',
          tool_calls: [
            {
              id: expect.any(String),
              function: { index: 0, name: 'get_weather', arguments: { city: 'Tokyo' } },
            },
          ],
        },
        done: true,
        done_reason: 'stop',
        total_duration: expect.any(Number),
        load_duration: 1334875,
        prompt_eval_count: 9,
        prompt_eval_duration: 13500000,
        eval_count: 3,
        eval_duration: 60000000,
      });
    });

    it('only loads the model for an empty conversation', async () => {
      const response = await post('/api/chat', { model: 'llama3.2', messages: [] });
      expect(await response.json()).toMatchObject({
        done: true,
        done_reason: 'load',
        message: { content: '' },
      });
      const unload = await post('/api/chat', { model: 'llama3.2', messages: [], keep_alive: 0 });
      expect(await unload.json()).toMatchObject({ done_reason: 'unload' });
    });
  });

  describe('/api/generate', () => {
    it('streams `response` pieces and ends with the context', async () => {
      fake.script({ tokens: ['Hi', '!'], reasoning: ['x'], usage: { promptTokens: 1, completionTokens: 2 } });
      const { text } = await readAll(await post('/api/generate', { model: 'llama3.2', prompt: 'Say hi' }));
      expect(normalise(text)).toBe(
        [
          '{"model":"llama3.2","created_at":"T","response":"","thinking":"x","done":false}',
          '{"model":"llama3.2","created_at":"T","response":"Hi","done":false}',
          '{"model":"llama3.2","created_at":"T","response":"!","done":false}',
          '{"model":"llama3.2","created_at":"T","response":"","done":true,"done_reason":"stop",' +
            '"context":[128000,128001,128002],"total_duration":0,"load_duration":1334875,' +
            '"prompt_eval_count":1,"prompt_eval_duration":1500000,"eval_count":2,"eval_duration":40000000}',
          '',
        ].join('\n'),
      );
    });

    it('answers stream:false with the whole response', async () => {
      fake.script({ tokens: ['Hi', '!'] });
      const body = (await (
        await post('/api/generate', { model: 'llama3.2', prompt: 'Say hi', stream: false })
      ).json()) as Record<string, unknown>;
      expect(body).toMatchObject({ model: 'llama3.2', response: 'Hi!', done: true, done_reason: 'stop' });
      expect(body.context).toEqual(expect.any(Array));
    });
  });

  describe('errors', () => {
    it('answers an unknown model with 404 {error:"model \'x\' not found"}', async () => {
      const response = await readAll(await chat({ model: 'nope' }));
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.text).toBe('{"error":"model \'nope\' not found"}');
    });

    it('answers a missing model and a body that is not JSON with 400', async () => {
      const missing = await readAll(await post('/api/chat', { messages: [] }));
      expect([missing.status, missing.text]).toEqual([400, '{"error":"model is required"}']);
      const garbage = await readAll(await post('/api/chat', 'hello'));
      expect(garbage.status).toBe(400);
      expect(JSON.parse(garbage.text)).toEqual({
        error: "invalid character 'h' looking for beginning of value",
      });
    });

    it("sends a scripted HTTP error in Ollama's shape with its retry headers", async () => {
      fake.script({ httpError: { status: 503, message: 'server busy', retryAfter: 2, retryAfterMs: 1500 } });
      const response = await readAll(await chat());
      expect(response.status).toBe(503);
      expect(response.text).toBe('{"error":"server busy"}');
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.headers.get('retry-after-ms')).toBe('1500');
    });

    it('ends a started stream with an {"error"} line under the 200, and no done line', async () => {
      fake.script({
        tokens: ['one', ' two', ' three'],
        errorAfterTokens: 2,
        streamErrorMessage: 'the runner crashed',
      });
      const response = await readAll(await chat());
      expect(response.status).toBe(200);
      const lines = response.text.split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[2]).toBe('{"error":"the runner crashed"}');
      expect(lines[3]).toBe('');
    });

    it('answers a non-streamed call that fails mid-generation with a 500', async () => {
      fake.script({ errorAfterTokens: 1, streamErrorMessage: 'boom' });
      const response = await readAll(await chat({ stream: false }));
      expect([response.status, response.text]).toEqual([500, '{"error":"boom"}']);
    });

    it('a non-streamed call cut mid-body fails on the client', async () => {
      fake.script({ cutAfterTokens: 1 });
      await expect(chat({ stream: false }).then((r) => r.text())).rejects.toThrow();
    });
  });

  describe('other endpoints', () => {
    it('GET and HEAD / answer "Ollama is running" as text/plain', async () => {
      const get = await readAll(await fetch(`${fake.url}/`));
      expect([get.status, get.text, get.headers.get('content-type')]).toEqual([
        200,
        'Ollama is running',
        'text/plain; charset=utf-8',
      ]);
      const head = await readAll(await fetch(`${fake.url}/`, { method: 'HEAD' }));
      expect([head.status, head.text]).toEqual([200, '']);
    });

    it('resets every connection while unhealthy, like a dead server', async () => {
      fake.unhealthy = true;
      expect(await requestError(`${fake.url}/`)).toMatchObject({ code: 'ECONNRESET' });
      await expect(chat()).rejects.toThrow();
    });

    it('lists models (/api/tags), the version, and the loaded models (/api/ps)', async () => {
      const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as {
        models: Record<string, unknown>[];
      };
      expect(tags.models.map((m) => m.name)).toEqual(['llama3.2:latest', 'nomic-embed-text:latest']);
      expect(tags.models[0]).toEqual({
        name: 'llama3.2:latest',
        model: 'llama3.2:latest',
        modified_at: expect.stringMatching(RFC3339_NANO),
        size: expect.any(Number),
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
        details: {
          parent_model: '',
          format: 'gguf',
          family: 'llama',
          families: ['llama'],
          parameter_size: expect.any(String),
          quantization_level: expect.any(String),
        },
      });
      expect(await (await fetch(`${fake.url}/api/version`)).json()).toEqual({ version: expect.any(String) });
      expect(await (await fetch(`${fake.url}/api/ps`)).json()).toEqual({ models: [] });
      await readAll(await chat());
      const ps = (await (await fetch(`${fake.url}/api/ps`)).json()) as { models: Record<string, unknown>[] };
      expect(ps.models).toEqual([
        expect.objectContaining({
          name: 'llama3.2:latest',
          context_length: 131072,
          expires_at: expect.any(String),
        }),
      ]);
    });

    it('shows a model with its context length and capabilities, and 404s a missing one', async () => {
      const show = (await (await post('/api/show', { model: 'llama3.2' })).json()) as Record<string, unknown>;
      expect(show.model_info).toMatchObject({
        'general.architecture': 'llama',
        'llama.context_length': 131072,
      });
      expect(show.capabilities).toEqual(['completion', 'tools']);
      expect(show.details).toMatchObject({ family: 'llama' });
      const embed = (await (await post('/api/show', { model: 'nomic-embed-text' })).json()) as Record<
        string,
        unknown
      >;
      expect(embed.capabilities).toEqual(['embedding']);
      const missing = await readAll(await post('/api/show', { model: 'nope' }));
      expect([missing.status, missing.text]).toEqual([404, '{"error":"model \'nope\' not found"}']);
    });

    it('embeds a string or an array into a 2-D array of deterministic vectors', async () => {
      const one = (await (
        await post('/api/embed', { model: 'nomic-embed-text', input: 'hello' })
      ).json()) as Record<string, unknown>;
      expect(one).toEqual({
        model: 'nomic-embed-text',
        embeddings: [fakeEmbedding('hello')],
        total_duration: expect.any(Number),
        load_duration: expect.any(Number),
        prompt_eval_count: 12,
      });
      const many = (await (
        await post('/api/embed', { model: 'nomic-embed-text', input: ['a', 'hello'], dimensions: 3 })
      ).json()) as { embeddings: number[][] };
      expect(many.embeddings).toEqual([fakeEmbedding('a', 3), fakeEmbedding('hello', 3)]);
      const legacy = await (
        await post('/api/embeddings', { model: 'nomic-embed-text', prompt: 'hello' })
      ).json();
      expect(legacy).toEqual({ embedding: fakeEmbedding('hello') });
    });

    it('answers an unknown route like gin', async () => {
      const response = await readAll(await fetch(`${fake.url}/api/nope`));
      expect([response.status, response.text]).toEqual([404, '404 page not found']);
    });
  });
});
