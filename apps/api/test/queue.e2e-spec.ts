import type { Conversation } from '@sluice/contracts';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import { registerUser } from './support/api-client';
import { collect, openChat } from './support/sse';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * A model server that runs one answer at a time (LLM_MAX_CONCURRENCY=1): a second answer waits in
 * line and its browser is told its place. In stage two the queue is the gateway's, which tells the API
 * with its own stream events (`SLUICE_STREAM_EVENTS`): the browser sees the same.
 */
describe('a busy model server: the queue as the browser sees it (e2e)', () => {
  let t: TestApp;
  let ollama: FakeOllama;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    t = await startTestApp({
      env: {
        OLLAMA_BASE_URL: ollama.url,
        LLM_MODEL: 'llama3.2:latest',
        LLM_MAX_CONCURRENCY: '1',
        LLM_MAX_QUEUE: '1',
        // Shorter than the wait in line: the wait is not a connection that fails to answer (in stage
        // two the gateway answers a queued call at once).
        LLM_CONNECT_TIMEOUT_MS: '300',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await ollama?.close();
  });

  it('serves one answer at a time, tells the next its place, and refuses past the queue bound', async () => {
    ollama.defaultScript = { tokens: ['one', ' two', ' three'], delayMs: 150 };
    const { api, auth } = await registerUser(t.url);
    const conversations = await Promise.all(
      [1, 2, 3].map(async () => (await api.post<Conversation>('/api/conversations', {})).body),
    );
    const first = await openChat(t.url, auth.accessToken, conversations[0]!.id, { content: 'first' });
    await ollama.waitForRequests(1);
    const second = await openChat(t.url, auth.accessToken, conversations[1]!.id, { content: 'second' });
    const third = await openChat(t.url, auth.accessToken, conversations[2]!.id, { content: 'third' });
    const [a, b, c] = await Promise.all([collect(first), collect(second), collect(third)]);

    expect(a.at(-1)?.event).toBe('done');
    expect(b.filter((e) => e.event === 'queued').map((e) => e.data)).toEqual([{ position: 1 }]);
    expect(b.at(-1)?.event).toBe('done');
    // Its place first, then who serves (in stage two told by the gateway once a slot was found).
    expect(b.map((e) => e.event).slice(0, 3)).toEqual(['queued', 'meta', 'delta']);
    const served = (events: typeof a) => {
      const meta = events.find((e) => e.event === 'meta')?.data as { provider?: unknown; model?: unknown };
      return { provider: meta.provider, model: meta.model };
    };
    expect(served(b)).toEqual(served(a));
    expect(served(b)).toEqual({ provider: 'ollama', model: 'llama3.2:latest' });
    expect(c.at(-1)).toMatchObject({ event: 'error', data: { code: 'rate_limited', retryable: true } });
    expect(c.at(-1)?.data).toHaveProperty('retryAfterMs');
    // The upstream never ran two answers at once.
    expect(ollama.calls).toHaveLength(2);
  });
});
