import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import OpenAI from 'openai';
import { startFakeOllama, type FakeOllama } from '@sluice/llm-provider/testing';
import { postJson } from './support/http';
import { startGateway, TOKEN, type TestGateway } from './support/gateway';

const MODEL = 'llama3.2:latest';
/** A model the fake answers with a 500 every time: its circuit opens, MODEL's stays closed. */
const FAILING = 'failing:latest';
const USER = [{ role: 'user' as const, content: 'Say hello' }];

/** JSON text of a schema nested `depth` levels deep (JSON.stringify itself gives up on it). */
function nestedSchema(depth: number): string {
  return '{"type":"object","properties":{"x":'.repeat(depth) + '{"type":"string"}' + '}}'.repeat(depth);
}

/**
 * What off-the-shelf clients see when an upstream fails, with their default settings: the official
 * `openai` client (which retries on its own unless told not to) and the Vercel AI SDK.
 */
describe('off-the-shelf clients against a failing upstream', () => {
  let ollama: FakeOllama;
  let gateway: TestGateway;

  beforeAll(async () => {
    ollama = await startFakeOllama({
      models: [
        { id: MODEL },
        { id: FAILING, script: { httpError: { status: 500, message: 'CUDA error: out of memory' } } },
      ],
    });
    // The library's defaults: two retries with backoff, five failures open a circuit.
    gateway = await startGateway({ env: { OLLAMA_BASE_URL: ollama.url, LLM_BREAKER_COOLDOWN_MS: '60000' } });
  });
  afterAll(async () => {
    await gateway?.close();
    await ollama?.close();
  });
  beforeEach(() => {
    ollama.reset();
    ollama.defaultScript = {};
  });

  const circuit = async () => {
    const ready = (await (await fetch(`${gateway.url}/health/ready`)).json()) as {
      upstreams: { circuit: string }[];
    };
    return ready.upstreams[0]?.circuit;
  };

  it('one openai-node call reaches the upstream at most 1 + the gateway retries times', async () => {
    // openai-node's defaults: 2 retries of its own on a 5xx, unless the server says otherwise.
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: TOKEN });
    for (const stream of [false, true]) {
      ollama.reset();
      const failure = await client.chat.completions
        .create({ model: FAILING, messages: USER, stream })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).headers?.get('x-should-retry')).toBe('false');
      // Three calls by the gateway (LLM_MAX_RETRIES=2); none more from the client. The second call
      // makes five failures in a row for the model: its circuit opens before the last retry.
      expect(ollama.calls.length).toBe(stream ? 2 : 3);
    }
    // Readiness names the failing model; the server and its other models still serve.
    const ready = await (await fetch(`${gateway.url}/health/ready`)).json();
    expect(ready).toMatchObject({
      status: 'ok',
      upstreams: [{ circuit: 'closed', failingModels: [{ model: FAILING, circuit: 'open' }] }],
    });
  });

  it("the AI SDK's streamText text loop throws on a stream cut halfway", async () => {
    const provider = createOpenAICompatible({ name: 'sluice', baseURL: `${gateway.url}/v1`, apiKey: TOKEN });
    ollama.script({ tokens: ['Half', ' an', ' answer'], cutAfterTokens: 2 });
    const errors: unknown[] = [];
    const result = streamText({
      model: provider(MODEL),
      prompt: 'Say hello',
      maxRetries: 0,
      onError: ({ error }) => void errors.push(error),
    });
    let text = '';
    const failure = await (async () => {
      try {
        for await (const piece of result.textStream) text += piece;
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    // A loop that reads only the text fails instead of ending quietly with half an answer.
    expect(failure).toBeInstanceOf(Error);
    expect('Half an'.startsWith(text)).toBe(true);
    expect(errors).toContainEqual(expect.objectContaining({ code: 'upstream_error' }));

    // The same client reads a healthy stream to its end.
    const healthy = streamText({ model: provider(MODEL), prompt: 'Say hello', maxRetries: 0 });
    let whole = '';
    for await (const piece of healthy.textStream) whole += piece;
    expect(whole).toBe('Hello, world!');
  });

  it('a body nested 20,000 levels deep is a 400, never reaches the upstream, and leaves the circuit closed', async () => {
    const deep = nestedSchema(20_000);
    const head = `{"model":"${MODEL}","messages":${JSON.stringify(USER)}`;
    const bodies = [
      `${head},"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]`,
      `${head},"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${deep}}}`,
    ];
    expect(bodies[0]!.length).toBeGreaterThan(100_000);
    for (let i = 0; i < 5; i++) {
      for (const body of bodies) {
        for (const stream of [false, true]) {
          const response = await postJson(
            `${gateway.url}/v1/chat/completions`,
            `${body},"stream":${stream}}`,
          );
          expect(response.status).toBe(400);
          expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
        }
      }
    }
    expect(ollama.calls).toHaveLength(0);
    expect(await circuit()).toBe('closed');
    const fine = await postJson(`${gateway.url}/v1/chat/completions`, { model: MODEL, messages: USER });
    expect(fine.status).toBe(200);
  });
});
