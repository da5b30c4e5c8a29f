/**
 * Faults stay where they start, driven as callers drive the registry: over real sockets against the
 * fakes, with consumers that stop reading at `finish` (the API's chat stream and the gateway both do),
 * successes and failures interleaved, concurrent callers.
 */
import type { LlmRequest } from './llm-registry';
import type { LlmStreamEvent } from '../contract';
import { OllamaProvider, SluiceGatewayProvider } from '../adapters';
import { startFakeOllama, startFakeOpenAI, type FakeOllama, type FakeUpstream } from '../testing';
import { LlmRegistry, type LlmRegistryOptions } from './llm-registry';

const MODEL = 'llama3.2:latest';
const BROKEN = 'broken:latest';
const messages = [{ role: 'user' as const, content: 'Hello' }];

/** Reads like the API and the gateway: stops at the first terminal event, never drains further. */
async function untilTerminal(stream: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const events: LlmStreamEvent[] = [];
  for await (const event of stream) {
    events.push(event);
    if (event.type === 'finish' || event.type === 'error') break;
  }
  return events;
}
const terminal = (events: LlmStreamEvent[]) => events.at(-1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fault isolation in the registry', () => {
  let ollama: FakeOllama;

  beforeAll(async () => {
    ollama = await startFakeOllama({
      models: [
        { id: MODEL },
        {
          id: BROKEN,
          script: { httpError: { status: 500, message: 'llama runner process has terminated' } },
        },
      ],
    });
  });
  afterAll(() => ollama.close());
  beforeEach(() => {
    ollama.reset();
    ollama.defaultScript = {};
  });

  function registry(options: Partial<LlmRegistryOptions> = {}) {
    return new LlmRegistry([new OllamaProvider({ id: 'ollama', baseUrl: ollama.url })], {
      defaultProvider: 'ollama',
      backoff: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1_000 },
      circuitBreaker: { failureThreshold: 5, cooldownMs: 60_000 },
      ...options,
    });
  }
  const send = (r: LlmRegistry, request: Partial<LlmRequest> = {}) =>
    untilTerminal(r.stream({ model: MODEL, messages, ...request }));
  const circuitOf = async (r: LlmRegistry) => (await r.health())[0]?.circuit;

  it('cut, ok, cut, ok… many times never opens the circuit, for a consumer that stops at finish', async () => {
    const r = registry();
    for (let i = 0; i < 30; i++) {
      ollama.script({ tokens: ['Half', ' an', ' answer'], cutAfterTokens: 1 }, {});
      expect(terminal(await send(r))).toMatchObject({ type: 'error', error: { code: 'upstream' } });
      expect(terminal(await send(r))).toMatchObject({ type: 'finish' });
    }
    expect(await circuitOf(r)).toBe('closed');
    expect(ollama.calls).toHaveLength(60);
  });

  it('non-streamed calls settle the same way: failures between successes never add up', async () => {
    const r = registry();
    for (let i = 0; i < 20; i++) {
      ollama.script({ httpError: { status: 500, message: 'hiccup' } }, {});
      await expect(r.chat({ model: MODEL, messages })).rejects.toMatchObject({ code: 'upstream' });
      await expect(r.chat({ model: MODEL, messages })).resolves.toMatchObject({ text: 'Hello, world!' });
    }
    expect(await circuitOf(r)).toBe('closed');
  });

  it('frees the concurrency slot at finish, before the consumer lets go of the stream', async () => {
    const r = registry({ concurrency: { maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 1_000 } });
    const held = r.stream({ model: MODEL, messages })[Symbol.asyncIterator]();
    for (;;) {
      const step = await held.next();
      if (step.done || step.value.type === 'finish') break;
    }
    // The first stream is not closed yet; a second caller still gets the one slot.
    expect(terminal(await send(r))).toMatchObject({ type: 'finish' });
    await held.return?.(undefined);
  });

  it('a model that keeps failing opens its own circuit; other models on the server keep answering', async () => {
    const r = registry();
    for (let i = 0; i < 5; i++) {
      expect(terminal(await send(r, { model: BROKEN }))).toMatchObject({
        type: 'error',
        error: { code: 'upstream' },
      });
      expect(terminal(await send(r))).toMatchObject({ type: 'finish' });
    }
    const before = ollama.calls.length;
    const refused = terminal(await send(r, { model: BROKEN }));
    expect(refused).toMatchObject({ type: 'error', error: { code: 'unavailable' } });
    expect(refused?.type === 'error' && refused.error.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(ollama.calls).toHaveLength(before); // refused without a call
    expect((await r.health())[0]).toMatchObject({
      ok: true,
      circuit: 'closed',
      failingModels: [{ model: BROKEN, circuit: 'open' }],
    });
    const healthy = await Promise.all(Array.from({ length: 20 }, () => send(r)));
    expect(healthy.map((events) => terminal(events)?.type)).toEqual(Array(20).fill('finish'));
    expect(await circuitOf(r)).toBe('closed');
  });

  it('what the caller got wrong never counts: bad requests, unknown models, a body we cannot serialize', async () => {
    const r = registry({ circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } });
    let nested: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) nested = { type: 'object', properties: { x: nested } };
    for (let i = 0; i < 5; i++) {
      ollama.script({ httpError: { status: 400, message: 'invalid option' } });
      expect(terminal(await send(r))).toMatchObject({ type: 'error', error: { code: 'bad_request' } });
      expect(terminal(await send(r, { model: 'no-such-model' }))).toMatchObject({
        type: 'error',
        error: { code: 'model_not_found' },
      });
      expect(terminal(await send(r, { tools: [{ name: 'deep', parameters: nested }] }))).toMatchObject({
        type: 'error',
        error: { code: 'bad_request' },
      });
    }
    expect(await circuitOf(r)).toBe('closed');
    expect(terminal(await send(r))).toMatchObject({ type: 'finish' });
  });

  it('after the cooldown one probe goes through while the others wait a second; its success closes the circuit', async () => {
    const r = registry({ circuitBreaker: { failureThreshold: 2, cooldownMs: 300 } });
    for (let i = 0; i < 2; i++) expect(terminal(await send(r, { model: BROKEN }))?.type).toBe('error');
    ollama.models.find((m) => m.id === BROKEN)!.script = { delayMs: 300 }; // healthy again, slowly
    await sleep(320);
    const burst = await Promise.all(Array.from({ length: 8 }, () => send(r, { model: BROKEN })));
    const finished = burst.filter((events) => terminal(events)?.type === 'finish');
    const waits = burst.flatMap((events) => {
      const end = terminal(events);
      return end?.type === 'error' ? [end.error.retryAfterMs] : [];
    });
    expect(finished).toHaveLength(1);
    expect(waits).toHaveLength(7);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(1_000);

    const after = await Promise.all(Array.from({ length: 50 }, () => send(r, { model: BROKEN })));
    expect(after.map((events) => terminal(events)?.type)).toEqual(Array(50).fill('finish'));
    ollama.models.find((m) => m.id === BROKEN)!.script = {
      httpError: { status: 500, message: 'llama runner process has terminated' },
    };
  });
});

describe('fault isolation behind a Sluice gateway', () => {
  let gateway: FakeUpstream;

  beforeAll(async () => {
    gateway = await startFakeOpenAI();
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  it("the gateway's relayed upstream failures do not open the caller's circuit for the gateway", async () => {
    const r = new LlmRegistry([new SluiceGatewayProvider({ id: 'gateway', baseUrl: `${gateway.url}/v1` })], {
      defaultProvider: 'gateway',
      backoff: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 },
    });
    for (let i = 0; i < 5; i++) {
      gateway.script({ httpError: { status: 503, code: 'upstream_unavailable', message: 'down' } });
      expect(terminal(await untilTerminal(r.stream({ model: 'gpt-4o-mini', messages })))).toMatchObject({
        type: 'error',
        error: { code: 'unavailable' },
      });
    }
    expect((await r.health())[0]?.circuit).toBe('closed');
    expect(terminal(await untilTerminal(r.stream({ model: 'gpt-4o-mini', messages })))?.type).toBe('finish');
  });
});
