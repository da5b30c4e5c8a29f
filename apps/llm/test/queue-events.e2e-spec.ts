import { SLUICE_HEADERS, SLUICE_STREAM_EVENTS } from '@sluice/llm-provider';
import { startFakeOllama, type FakeOllama } from '@sluice/llm-provider/testing';
import { AUTH, jsonEvents, postJson, readEvents } from './support/http';
import { startGateway, type TestGateway } from './support/gateway';

const BODY = { model: 'llama3.2:latest', messages: [{ role: 'user', content: 'hi' }], stream: true };

/**
 * A model server that runs one answer at a time: the second call waits in the gateway's queue. A
 * Sluice API (which asks with `x-sluice-stream-events: 1`) is told its place and then who serves; any
 * other client sees plain OpenAI chunks, the 200 held until the first token as always.
 */
describe("the gateway's queue, as its callers see it", () => {
  let ollama: FakeOllama;
  let gateway: TestGateway;
  const url = () => `${gateway.url}/v1/chat/completions`;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    gateway = await startGateway({
      env: { OLLAMA_BASE_URL: ollama.url, LLM_MAX_CONCURRENCY: '1', LLM_MAX_QUEUE: '4' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await ollama?.close();
  });

  /** Starts a call that holds the only slot for a while; resolves once the upstream has it. */
  async function occupy(): Promise<{ first: Promise<Response> }> {
    ollama.defaultScript = { tokens: ['busy', ' busy'], delayMs: 150 };
    const first = postJson(url(), BODY);
    await ollama.waitForRequests(1);
    return { first };
  }

  it('tells a Sluice API its place, answers 200 at once, then says who serves', async () => {
    ollama.reset();
    const { first } = await occupy();
    const queued = await postJson(url(), BODY, { ...AUTH, [SLUICE_HEADERS.streamEvents]: '1' });
    // The headers came while the first call still held the slot: this one has not reached the upstream.
    expect(ollama.calls).toHaveLength(1);
    expect(queued.status).toBe(200);
    expect(queued.headers.get(SLUICE_HEADERS.servedByProvider)).toBeNull();

    const { events } = await readEvents(queued);
    const named = events.filter((e) => e.event !== 'message');
    expect(named.map((e) => [e.event, JSON.parse(e.data) as unknown])).toEqual([
      [SLUICE_STREAM_EVENTS.queued, { position: 1 }],
      [SLUICE_STREAM_EVENTS.start, { provider: 'ollama', model: 'llama3.2:latest' }],
    ]);
    // Both before any content.
    const firstContent = events.findIndex((e) => e.data.includes('"content":"busy"'));
    expect(events.findIndex((e) => e.event === SLUICE_STREAM_EVENTS.start)).toBeLessThan(firstContent);
    expect(events.at(-1)!.data).toBe('[DONE]');
    await readEvents(await first);
  });

  it('sends an off-the-shelf client no event of its own, and the served-by headers as ever', async () => {
    ollama.reset();
    const { first } = await occupy();
    const queued = await postJson(url(), BODY);
    // Held until its first token, as any call: by then the upstream has it.
    expect(ollama.calls).toHaveLength(2);
    expect(queued.status).toBe(200);
    expect(queued.headers.get(SLUICE_HEADERS.servedByProvider)).toBe('ollama');
    const { events, text } = await readEvents(queued);
    expect(text).not.toContain('sluice.');
    expect(events.every((e) => e.event === 'message')).toBe(true);
    const chunks = jsonEvents(events);
    expect(chunks.every((chunk) => chunk['object'] === 'chat.completion.chunk')).toBe(true);
    await readEvents(await first);
  });
});
