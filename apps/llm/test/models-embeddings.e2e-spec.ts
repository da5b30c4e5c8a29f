import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import {
  fakeEmbedding,
  startFakeOllama,
  startFakeOpenAI,
  startFakeVllm,
  type FakeOllama,
  type FakeOpenAI,
  type FakeVllm,
} from '@sluice/llm-provider/testing';
import { postJson } from './support/http';
import { startGateway, TOKEN, type TestGateway } from './support/gateway';

const OPENAI_KEY = 'sk-upstream-0123456789abcdef';
const float32 = (values: number[]) => Array.from(new Float32Array(values));

describe('GET /v1/models and POST /v1/embeddings', () => {
  let ollama: FakeOllama;
  let upstreamOpenAI: FakeOpenAI;
  let vllm: FakeVllm;
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    [ollama, upstreamOpenAI, vllm] = await Promise.all([
      startFakeOllama(),
      startFakeOpenAI({ apiKey: OPENAI_KEY }),
      startFakeVllm(),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-llm-'));
    const routing = join(dir, 'models.yaml');
    writeFileSync(
      routing,
      'models:\n  chat:\n    - vllm/meta-llama/Llama-3.1-8B-Instruct\n    - ollama/llama3.2:latest\n',
    );
    gateway = await startGateway({
      env: {
        OLLAMA_BASE_URL: ollama.url,
        OPENAI_BASE_URL: `${upstreamOpenAI.url}/v1`,
        OPENAI_API_KEY: OPENAI_KEY,
        VLLM_BASE_URL: `${vllm.url}/v1`,
        LLM_MODELS_FILE: routing,
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

  it('lists every upstream model in OpenAI shape: bare for the default provider, prefixed for the others', async () => {
    const page = await client.models.list();
    expect(page.data.map((model) => model.id)).toEqual([
      'chat',
      'llama3.2:latest',
      'nomic-embed-text:latest',
      'openai/gpt-4o-mini',
      'openai/text-embedding-3-small',
      'vllm/meta-llama/Llama-3.1-8B-Instruct',
    ]);
    for (const model of page.data) {
      expect(model).toMatchObject({
        object: 'model',
        created: expect.any(Number),
        owned_by: expect.any(String),
      });
    }
    expect(page.data.find((m) => m.id.startsWith('vllm/'))).toMatchObject({ max_model_len: 8192 });
  });

  it('lists ids that route back to the upstream that serves them', async () => {
    const fakes = { ollama, openai: upstreamOpenAI, vllm };
    const expected: [string, keyof typeof fakes, string][] = [
      ['llama3.2:latest', 'ollama', 'llama3.2:latest'],
      ['openai/gpt-4o-mini', 'openai', 'gpt-4o-mini'],
      ['vllm/meta-llama/Llama-3.1-8B-Instruct', 'vllm', 'meta-llama/Llama-3.1-8B-Instruct'],
      ['chat', 'vllm', 'meta-llama/Llama-3.1-8B-Instruct'],
    ];
    for (const [id, fake, upstreamModel] of expected) {
      const before = fakes[fake].calls.length;
      const completion = await client.chat.completions.create({
        model: id,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(completion.model).toBe(id);
      expect(fakes[fake].calls).toHaveLength(before + 1);
      expect(fakes[fake].calls.at(-1)!.body).toMatchObject({ model: upstreamModel });
    }
  });

  it('retrieves one model, slashes in its id included', async () => {
    await expect(client.models.retrieve('vllm/meta-llama/Llama-3.1-8B-Instruct')).resolves.toMatchObject({
      id: 'vllm/meta-llama/Llama-3.1-8B-Instruct',
      object: 'model',
    });
    await expect(client.models.retrieve('llama3.2:latest')).resolves.toMatchObject({ id: 'llama3.2:latest' });
    const missing = await client.models.retrieve('nope').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it("retrieving one model reports its upstream's context window: Ollama's show, an alias's first target's", async () => {
    const window = async (id: string) =>
      ((await client.models.retrieve(id)) as OpenAI.Models.Model & { max_model_len?: number }).max_model_len;
    ollama.models.push({ id: 'tuned:latest', contextLength: 131072, numCtx: 16384 });
    try {
      await expect(window('tuned:latest')).resolves.toBe(16384);
    } finally {
      ollama.models.pop();
    }
    expect(ollama.requests.filter((r) => r.path === '/api/show')).toEqual([
      expect.objectContaining({ body: { model: 'tuned:latest' } }),
    ]);
    await expect(window('llama3.2:latest')).resolves.toBe(131072);
    // Ollama's name without its tag is the same model, listed or not.
    await expect(client.models.retrieve('llama3.2')).resolves.toMatchObject({
      id: 'llama3.2',
      max_model_len: 131072,
      sluice_provider: 'ollama',
    });
    await expect(window('chat')).resolves.toBe(8192);
    await expect(window('vllm/meta-llama/Llama-3.1-8B-Instruct')).resolves.toBe(8192);
    await expect(window('openai/gpt-4o-mini')).resolves.toBeUndefined();
    // The listing itself asks no model for its window.
    ollama.reset();
    await client.models.list();
    expect(ollama.requests.map((r) => r.path)).toEqual(['/api/tags']);
  });

  it("embeds with openai-node's default base64 encoding (little-endian float32)", async () => {
    const response = await client.embeddings.create({
      model: 'nomic-embed-text:latest',
      input: ['first', 'second'],
    });
    expect(response.object).toBe('list');
    expect(response.model).toBe('nomic-embed-text:latest');
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(response.data[0]!.embedding).toEqual(float32(fakeEmbedding('first')));
    expect(response.data[1]!.embedding).toEqual(float32(fakeEmbedding('second')));
    expect(response.usage).toEqual({ prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(ollama.calls[0]!.body).toMatchObject({
      model: 'nomic-embed-text:latest',
      input: ['first', 'second'],
    });
  });

  it('embeds as plain floats with encoding_format float, one string in', async () => {
    const raw = await postJson(`${gateway.url}/v1/embeddings`, {
      model: 'nomic-embed-text:latest',
      input: 'only',
      encoding_format: 'float',
    });
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { data: { object: string; embedding: number[] }[] };
    expect(body.data).toEqual([{ object: 'embedding', index: 0, embedding: fakeEmbedding('only') }]);

    const viaOpenAI = await client.embeddings.create({
      model: 'openai/text-embedding-3-small',
      input: 'only',
      encoding_format: 'float',
    });
    expect(viaOpenAI.data[0]!.embedding).toEqual(float32(fakeEmbedding('only')));
  });

  it('refuses token arrays and empty input with 400', async () => {
    for (const input of [[1, 2, 3], [[1, 2]], []]) {
      const response = await postJson(`${gateway.url}/v1/embeddings`, {
        model: 'nomic-embed-text:latest',
        input,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { type: 'invalid_request_error', param: 'input' },
      });
    }
    expect(ollama.calls).toHaveLength(0);
  });
});
