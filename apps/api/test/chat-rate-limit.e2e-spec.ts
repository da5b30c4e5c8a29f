import type { Conversation, ErrorResponse, MessageList } from '@sluice/contracts';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import { type ApiClient, registerUser } from './support/api-client';
import { type ChatStream, collect, openChat, waitFor } from './support/sse';
import { startTestApp, type TestApp } from './support/test-app';

/** Per-user chat limits in the API (CHAT_USER_RPM, CHAT_USER_TPM), counted in memory. */
describe('per-user chat rate limits (e2e)', () => {
  let ollama: FakeOllama;

  beforeAll(async () => {
    ollama = await startFakeOllama();
  });
  afterAll(async () => {
    await ollama?.close();
  });
  beforeEach(() => ollama.reset());

  const newUser = async (url: string) => {
    const { api, auth } = await registerUser(url);
    const conversation = (await api.post<Conversation>('/api/conversations', {})).body;
    return { api, token: auth.accessToken, conversation };
  };
  const messagesOf = async (api: ApiClient, id: string) =>
    (await api.get<MessageList>(`/api/conversations/${id}/messages`)).body.items;
  const expectRefused = (stream: ChatStream) => {
    expect(stream.status).toBe(429);
    expect(stream.errorBody).toMatchObject<Partial<ErrorResponse>>({
      error: expect.objectContaining({ code: 'rate_limited' }),
      requestId: expect.any(String),
    });
    const retryAfter = Number(stream.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  };

  describe('requests per minute', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        env: { OLLAMA_BASE_URL: ollama.url, LLM_MODEL: 'llama3.2:latest', CHAT_USER_RPM: '2' },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers the N+1th message in a minute with 429, stores nothing, and leaves others alone', async () => {
      const alice = await newUser(t.url);
      const bob = await newUser(t.url);
      for (const content of ['one', 'two']) {
        const stream = await openChat(t.url, alice.token, alice.conversation.id, { content });
        expect(stream.status).toBe(200);
        expect(stream.headers.get('x-ratelimit-limit-requests')).toBe('2');
        await collect(stream);
      }
      expect(await messagesOf(alice.api, alice.conversation.id)).toHaveLength(4);

      const refused = await openChat(t.url, alice.token, alice.conversation.id, { content: 'three' });
      expectRefused(refused);
      expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(refused.headers.get('x-ratelimit-reset-requests')).toEqual(expect.any(String));
      expect(await messagesOf(alice.api, alice.conversation.id)).toHaveLength(4);
      expect(ollama.calls.filter((call) => call.path === '/api/chat')).toHaveLength(2);

      // Another user has a budget of their own.
      const bobs = await openChat(t.url, bob.token, bob.conversation.id, { content: 'hello' });
      expect(bobs.status).toBe(200);
      const events = await collect(bobs);
      expect(events[events.length - 1]!.event).toBe('done');
    });
  });

  describe('tokens per minute', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        env: { OLLAMA_BASE_URL: ollama.url, LLM_MODEL: 'llama3.2:latest', CHAT_USER_TPM: '50' },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses once the answers pushed the user over the token budget', async () => {
      const alice = await newUser(t.url);
      const bob = await newUser(t.url);
      ollama.script({ tokens: ['small'], usage: { promptTokens: 10, completionTokens: 5 } });
      await collect(await openChat(t.url, alice.token, alice.conversation.id, { content: 'one' }));
      ollama.script({ tokens: ['big'], usage: { promptTokens: 40, completionTokens: 20 } });
      const second = await openChat(t.url, alice.token, alice.conversation.id, { content: 'two' });
      // 15 of 50 used: still admitted (more left if a minute boundary passed: the window slides).
      expect(second.status).toBe(200);
      expect(Number(second.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThanOrEqual(35);
      await collect(second);

      const refused = await openChat(t.url, alice.token, alice.conversation.id, { content: 'three' });
      expectRefused(refused);
      expect(refused.errorBody?.error.details).toMatchObject({ limit: 'tokens_per_minute' });
      expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
      expect(await messagesOf(alice.api, alice.conversation.id)).toHaveLength(4);

      const bobs = await openChat(t.url, bob.token, bob.conversation.id, { content: 'hello' });
      expect(bobs.status).toBe(200);
      await collect(bobs);
    });
  });

  describe('answers streaming at once (CHAT_USER_MAX_STREAMS, default 4)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { OLLAMA_BASE_URL: ollama.url, LLM_MODEL: 'llama3.2:latest' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses a fifth stream with 429 too_many_streams, stores nothing, and admits again once one ends', async () => {
      const alice = await newUser(t.url);
      const bob = await newUser(t.url);
      const conversations = [alice.conversation];
      for (let i = 0; i < 3; i++) {
        conversations.push((await alice.api.post<Conversation>('/api/conversations', {})).body);
      }
      ollama.models[0]!.script = { tokens: ['slow', ' answer'], stallAfter: { tokens: 1, ms: Infinity } };
      const open = await Promise.all(
        conversations.map((conversation) =>
          openChat(t.url, alice.token, conversation.id, { content: 'take your time' }),
        ),
      );
      expect(open.map((stream) => stream.status)).toEqual([200, 200, 200, 200]);

      const fifth = await openChat(t.url, alice.token, alice.conversation.id, { content: 'one more' });
      expect(fifth.status).toBe(429);
      expect(fifth.errorBody).toMatchObject({ error: { code: 'too_many_streams', details: { limit: 4 } } });
      expect(await messagesOf(alice.api, alice.conversation.id)).toHaveLength(2);

      // Another user is not held back by Alice's streams.
      ollama.models[0]!.script = {};
      const bobs = await openChat(t.url, bob.token, bob.conversation.id, { content: 'hello' });
      expect(bobs.status).toBe(200);
      await collect(bobs);

      // Stop one (the browser closes it): its slot comes back.
      open[0]!.abort();
      await waitFor(
        async () => (await messagesOf(alice.api, alice.conversation.id)).at(-1)?.status === 'interrupted',
      );
      const again = await openChat(t.url, alice.token, alice.conversation.id, { content: 'now?' });
      expect(again.status).toBe(200);
      await collect(again);
      for (const stream of open.slice(1)) stream.abort();
    });
  });

  describe('every request of a signed-in user (API_USER_RPM)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { OLLAMA_BASE_URL: ollama.url, API_USER_RPM: '20' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses the request over the limit with 429 and retry-after, for that user only', async () => {
      const alice = await registerUser(t.url);
      const bob = await registerUser(t.url);
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        statuses.push((await alice.api.post('/api/conversations', { title: `n${i}` })).status);
      }
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(201));
      expect(statuses.slice(20)).toEqual(Array(5).fill(429));
      const refused = await alice.api.get<ErrorResponse>('/api/conversations');
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({
        code: 'rate_limited',
        details: { limit: 'api_requests_per_minute' },
      });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      expect((await bob.api.get('/api/conversations')).status).toBe(200);
      expect((await alice.api.get('/health/ready')).status).toBe(200);
    });
  });
});
