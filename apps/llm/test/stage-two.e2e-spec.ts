import {
  createLlmRegistry,
  LlmError,
  loadLlmConfig,
  type LlmRegistry,
  type LlmStreamEvent,
} from '@sluice/llm-provider';
import { startFakeOllama, type FakeOllama } from '@sluice/llm-provider/testing';
import { eventually, requestLines, startGateway, TOKEN, type TestGateway } from './support/gateway';

const messages = [{ role: 'user' as const, content: 'hi' }];

async function collect(stream: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const events: LlmStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/**
 * What the API sees in stage two: the library in LLM_MODE=gateway, reaching this gateway through its
 * OpenAI-compatible adapter. The gateway's answers must classify back into the same error codes.
 */
describe('the library in gateway mode, calling this gateway', () => {
  let ollama: FakeOllama;
  let gateway: TestGateway;
  let registry: LlmRegistry;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    gateway = await startGateway({ env: { OLLAMA_BASE_URL: ollama.url, LLM_MAX_RETRIES: '0' } });
    registry = createLlmRegistry(
      loadLlmConfig({
        LLM_MODE: 'gateway',
        LLM_GATEWAY_URL: gateway.url,
        LLM_GATEWAY_TOKEN: TOKEN,
        LLM_MAX_RETRIES: '0',
        LLM_BREAKER_FAILURES: '0',
      }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await ollama?.close();
  });
  beforeEach(() => ollama.reset());

  it('streams text, usage and the finish; the end user reaches the gateway', async () => {
    ollama.script({ tokens: ['Hel', 'lo'], usage: { promptTokens: 3, completionTokens: 2 } });
    const events = await collect(
      registry.stream({
        model: 'llama3.2:latest',
        messages,
        user: 'user-9',
        headers: { 'x-request-id': 'req-s2' },
      }),
    );
    expect(events.filter((e) => e.type === 'text-delta').map((e) => e.text)).toEqual(['Hel', 'lo']);
    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      rawReason: 'stop',
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
    });
    const line = await eventually(() => requestLines(gateway).find((l) => l.requestId === 'req-s2'));
    expect(line).toMatchObject({ userId: 'user-9', outcome: 'ok' });
  });

  it('lists the models and embeds', async () => {
    const listing = await registry.listModels();
    expect(listing.models.map((m) => m.id)).toEqual(['llama3.2:latest', 'nomic-embed-text:latest']);
    const embedded = await registry.embed({ model: 'nomic-embed-text:latest', input: ['a', 'b'] });
    expect(embedded.embeddings).toHaveLength(2);
  });

  it('gets the upstream failures back with the same codes', async () => {
    ollama.script({ httpError: { status: 429, retryAfter: 30 } });
    const limited = await registry.chat({ model: 'llama3.2:latest', messages }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(LlmError);
    expect(limited).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 30_000 });

    const missing = await collect(registry.stream({ model: 'nope:1b', messages }));
    expect(missing).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'model_not_found' }) }]);

    ollama.script({ tokens: ['a', 'b', 'c'], cutAfterTokens: 1 });
    const cut = await collect(registry.stream({ model: 'llama3.2:latest', messages }));
    expect(cut.filter((e) => e.type === 'text-delta').map((e) => e.text)).toEqual(['a']);
    expect(cut.at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream' } });
  });

  it('carries a cancellation through both hops to the model server', async () => {
    ollama.script({ tokens: Array.from({ length: 100 }, () => 'x'), delayMs: 30 });
    const controller = new AbortController();
    for await (const event of registry.stream({
      model: 'llama3.2:latest',
      messages,
      signal: controller.signal,
    })) {
      if (event.type === 'text-delta') controller.abort();
    }
    const [upstream] = await ollama.waitForRequests(1);
    await expect(ollama.waitForAbort(upstream!, 1_000)).resolves.toMatchObject({ aborted: true });
  });
});

describe('a body over the gateway limit, from the library in gateway mode', () => {
  let ollama: FakeOllama;
  let gateway: TestGateway;
  let registry: LlmRegistry;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    gateway = await startGateway({ env: { OLLAMA_BASE_URL: ollama.url, BODY_LIMIT_BYTES: '65536' } });
    registry = createLlmRegistry(
      loadLlmConfig({
        LLM_MODE: 'gateway',
        LLM_GATEWAY_URL: gateway.url,
        LLM_GATEWAY_TOKEN: TOKEN,
        LLM_BREAKER_FAILURES: '2',
      }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await ollama?.close();
  });

  it("is the caller's problem: it never opens the circuit to the gateway for the other callers", async () => {
    // Far past the limit: the gateway answers 413 while the body is still being sent, and the write
    // that follows may fail with EPIPE.
    const huge = [{ role: 'user' as const, content: 'x'.repeat(8 * 1024 * 1024) }];
    for (let i = 0; i < 6; i++) {
      const events = await collect(registry.stream({ model: 'llama3.2:latest', messages: huge }));
      expect(events).toEqual([{ type: 'error', error: expect.any(LlmError) }]);
    }
    expect((await registry.health())[0]?.circuit).toBe('closed');
    const fine = await collect(registry.stream({ model: 'llama3.2:latest', messages }));
    expect(fine.at(-1)).toMatchObject({ type: 'finish' });
    expect(ollama.calls).toHaveLength(1);
  });
});
