/**
 * Traffic control over real sockets: fallback chains, retries, the circuit breaker and the queue,
 * driven through the fake upstreams, asserting what the caller sees and what each upstream received.
 */
import { createServer } from 'node:net';
import type { LlmStreamEvent } from '../contract';
import { OllamaProvider, VllmProvider } from '../adapters';
import { parseRoutingFile } from '../routing';
import { startFakeOllama, startFakeVllm, type FakeOllama, type FakeVllm } from '../testing';
import { LlmRegistry, type LlmRegistryOptions } from './llm-registry';

const VLLM_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const messages = [{ role: 'user' as const, content: 'Hello' }];

async function collect(stream: AsyncIterable<LlmStreamEvent>) {
  const events: LlmStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}
const textOf = (events: LlmStreamEvent[]) =>
  events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
const startOf = (events: LlmStreamEvent[]) => events.find((event) => event.type === 'start');
const last = (events: LlmStreamEvent[]) => events.at(-1);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('traffic control', () => {
  let ollama: FakeOllama;
  let vllm: FakeVllm;
  let deadPort: number;

  beforeAll(async () => {
    [ollama, vllm, deadPort] = await Promise.all([startFakeOllama(), startFakeVllm(), closedPort()]);
  });
  afterAll(async () => {
    await Promise.all([ollama.close(), vllm.close()]);
  });
  beforeEach(() => {
    ollama.reset();
    vllm.reset();
  });

  function registry(
    options: Partial<LlmRegistryOptions> & { routingYaml?: string; ollamaUrl?: string } = {},
  ) {
    const providers = [
      new OllamaProvider({ id: 'ollama', baseUrl: options.ollamaUrl ?? ollama.url }),
      new VllmProvider({ id: 'vllm', baseUrl: `${vllm.url}/v1` }),
    ];
    const yaml =
      options.routingYaml ?? `models:\n  chat:\n    - ollama/llama3.2:latest\n    - vllm/${VLLM_MODEL}\n`;
    return new LlmRegistry(providers, {
      defaultProvider: 'ollama',
      routing: parseRoutingFile(yaml, ['ollama', 'vllm']),
      backoff: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 1_000 },
      ...options,
    });
  }

  it('falls over to the next target when the first refuses connections, and says who served', async () => {
    const events = await collect(
      registry({ ollamaUrl: `http://127.0.0.1:${deadPort}` }).stream({ model: 'chat', messages }),
    );
    expect(startOf(events)).toMatchObject({ provider: 'vllm', model: VLLM_MODEL });
    expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
    expect(last(events)?.type).toBe('finish');
    expect(vllm.calls).toHaveLength(1);
  });

  it('retries a 500 on the same target before the first token; the caller sees one clean answer', async () => {
    ollama.script({ httpError: { status: 500, message: 'runner crashed' } }, { tokens: ['Fine', ' now'] });
    const events = await collect(registry().stream({ model: 'chat', messages }));
    expect(textOf(events)).toBe('Fine now');
    expect(startOf(events)).toMatchObject({ provider: 'ollama' });
    expect(ollama.calls).toHaveLength(2);
    expect(vllm.calls).toHaveLength(0);
  });

  it('honours Retry-After on a 429 before retrying', async () => {
    ollama.script({ httpError: { status: 429, message: 'busy', retryAfterMs: 300 } }, {});
    const started = performance.now();
    const events = await collect(registry().stream({ model: 'chat', messages }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(last(events)?.type).toBe('finish');
    expect(ollama.calls).toHaveLength(2);
  });

  it('falls over when the wait Retry-After asks for is too long', async () => {
    ollama.script({ httpError: { status: 429, message: 'quota window', retryAfter: 120 } });
    const events = await collect(registry().stream({ model: 'chat', messages }));
    expect(startOf(events)).toMatchObject({ provider: 'vllm' });
    expect(ollama.calls).toHaveLength(1);
  });

  it('falls over on a stall before the first token', async () => {
    ollama.script({ stallBeforeFirstTokenMs: Infinity });
    const events = await collect(
      registry({ backoff: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } }).stream({
        model: 'chat',
        messages,
        timeouts: { firstTokenMs: 150 },
      }),
    );
    expect(startOf(events)).toMatchObject({ provider: 'vllm' });
    expect(last(events)?.type).toBe('finish');
    await ollama.waitForAbort(ollama.calls[0]!, 1_000);
  });

  it('never falls over once tokens were sent: the partial answer is kept and an error ends it', async () => {
    ollama.script({ tokens: ['Half', ' an', ' answer'], cutAfterTokens: 2 });
    const events = await collect(registry().stream({ model: 'chat', messages }));
    expect(textOf(events)).toBe('Half an');
    expect(last(events)).toMatchObject({ type: 'error', error: { code: 'upstream' } });
    expect(vllm.calls).toHaveLength(0);
    expect(ollama.calls).toHaveLength(1);
  });

  it('does not retry or fall over on a bad request', async () => {
    ollama.script({ httpError: { status: 400, message: 'invalid option' } });
    const events = await collect(registry().stream({ model: 'chat', messages }));
    expect(last(events)).toMatchObject({ type: 'error', error: { code: 'bad_request' } });
    expect(ollama.calls).toHaveLength(1);
    expect(vllm.calls).toHaveLength(0);
  });

  it('an open circuit skips a failing upstream at once, and readiness shows it', async () => {
    const r = registry({
      ollamaUrl: `http://127.0.0.1:${deadPort}`,
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 },
      backoff: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    });
    await collect(r.stream({ model: 'chat', messages }));
    await collect(r.stream({ model: 'chat', messages }));
    const health = await r.health();
    expect(health.find((h) => h.provider === 'ollama')).toMatchObject({ ok: false, circuit: 'open' });
    const started = performance.now();
    const events = await collect(r.stream({ model: 'chat', messages }));
    expect(performance.now() - started).toBeLessThan(200);
    expect(startOf(events)).toMatchObject({ provider: 'vllm' });
    // Without a fallback, the caller learns when to come back.
    const direct = await collect(r.stream({ model: 'ollama/llama3.2:latest', messages }));
    expect(last(direct)).toMatchObject({
      type: 'error',
      error: { code: 'unavailable', retryAfterMs: expect.any(Number) },
    });
  });

  it('serves a burst in order up to the queue bound and refuses the rest with a retry hint', async () => {
    ollama.defaultScript = { tokens: ['a', 'b', 'c'], delayMs: 40 };
    const r = registry({
      routingYaml: `providers:\n  ollama: { maxConcurrent: 1, maxQueue: 2, queueTimeoutMs: 5000 }\nmodels:\n  solo: [ollama/llama3.2:latest]\n`,
    });
    const finishedOrder: number[] = [];
    const runs = [0, 1, 2, 3].map(async (index) => {
      const events = await collect(
        r.stream({ model: 'solo', messages: [{ role: 'user', content: `#${index}` }] }),
      );
      if (last(events)?.type === 'finish') finishedOrder.push(index);
      return events;
    });
    const results = await Promise.all(runs);
    expect(finishedOrder).toEqual([0, 1, 2]);
    expect(results[1]!.filter((e) => e.type === 'queued')).toEqual([
      { type: 'queued', provider: 'ollama', position: 1 },
    ]);
    expect(
      results[2]!.filter((e) => e.type === 'queued').map((e) => e.type === 'queued' && e.position),
    ).toEqual([2, 1]);
    expect(last(results[3]!)).toMatchObject({
      type: 'error',
      error: { code: 'rate_limited', retryAfterMs: expect.any(Number) },
    });
    // The upstream never had more than one request at a time, and got them in order.
    expect(
      ollama.calls.map((c) => (c.body as { messages: { content: string }[] }).messages[0]!.content),
    ).toEqual(['#0', '#1', '#2']);
  });

  it('falls over for non-streamed calls too', async () => {
    const result = await registry({ ollamaUrl: `http://127.0.0.1:${deadPort}` }).chat({
      model: 'chat',
      messages,
    });
    expect(result.provider).toBe('vllm');
    expect(result.text).toBe('Hello, world!');
  });

  it('slow but steady tokens finish under the idle deadline', async () => {
    ollama.script({ tokens: ['s', 'l', 'o', 'w'], delayMs: 60 });
    const events = await collect(registry().stream({ model: 'chat', messages, timeouts: { idleMs: 200 } }));
    expect(textOf(events)).toBe('slow');
    expect(last(events)?.type).toBe('finish');
  });
});
