import { createServer, type Server, type Socket } from 'node:net';
import type { Conversation, Readiness } from '@sluice/contracts';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import { type ApiClient, registerUser } from './support/api-client';
import { GATEWAY_TOKEN, startGateway } from './support/llm-stage';
import { collect, openChat } from './support/sse';
import { startTestApp } from './support/test-app';

/**
 * Stage two's promise: the gateway going down or hanging never takes the rest of the API with it.
 * Only in the stage-one run of the suite (it builds its own stage two).
 */
describe('the gateway stopped or hung mid-suite (e2e)', () => {
  let ollama: FakeOllama;
  let hung: Server;
  let hungUrl: string;
  const hungSockets = new Set<Socket>();

  beforeAll(async () => {
    ollama = await startFakeOllama();
    // Accepts connections and never answers a byte.
    hung = createServer((socket) => {
      hungSockets.add(socket);
      socket.on('close', () => hungSockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    hungSockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => hung.close(resolve));
    await ollama.close();
  });

  async function apiBehind(gatewayUrl: string, extra: Record<string, string> = {}) {
    const t = await startTestApp({
      env: {
        LLM_MODE: 'gateway',
        LLM_GATEWAY_URL: gatewayUrl,
        LLM_GATEWAY_TOKEN: GATEWAY_TOKEN,
        LLM_MODEL: 'llama3.2:latest',
        ...extra,
      },
    });
    const { api, auth } = await registerUser(t.url);
    return { t, api, token: auth.accessToken };
  }

  async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const started = performance.now();
    const value = await work();
    return { value, ms: performance.now() - started };
  }

  async function conversationRoutesWork(api: ApiClient) {
    const created = await timed(() => api.post<Conversation>('/api/conversations', { title: 'still here' }));
    expect(created.value.status).toBe(201);
    const listed = await timed(() => api.get('/api/conversations'));
    expect(listed.value.status).toBe(200);
    // Normal latency: nothing waits on the LLM hop.
    expect(Math.max(created.ms, listed.ms)).toBeLessThan(500);
    return created.value.body;
  }

  it('keeps every other route working and fails chat fast once the gateway is stopped', async () => {
    const gateway = await startGateway({ OLLAMA_BASE_URL: ollama.url });
    const { t, api, token } = await apiBehind(gateway.url);
    try {
      const conversation = await conversationRoutesWork(api);
      const before = await collect(await openChat(t.url, token, conversation.id, { content: 'hello' }));
      expect(before.at(-1)?.event).toBe('done');

      await gateway.close();

      const after = await conversationRoutesWork(api);
      const chat = await timed(async () =>
        collect(await openChat(t.url, token, after.id, { content: 'hello?' })),
      );
      expect(chat.ms).toBeLessThan(1_000);
      expect(chat.value.at(-1)).toMatchObject({
        event: 'error',
        data: { code: 'llm_unavailable', retryable: true },
      });
      const ready = await api.get<Readiness>('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'degraded',
        llm: [{ provider: 'gateway', status: 'down' }],
      });
    } finally {
      await t.close();
    }
  });

  it('gives up on a hung gateway within the configured deadline, the other routes unaffected', async () => {
    const { t, api, token } = await apiBehind(hungUrl, {
      LLM_CONNECT_TIMEOUT_MS: '400',
      LLM_BREAKER_FAILURES: '0',
    });
    try {
      const conversation = await conversationRoutesWork(api);
      const chatting = timed(async () =>
        collect(await openChat(t.url, token, conversation.id, { content: 'hi' })),
      );
      // While the chat waits on the hung hop, the rest of the API answers as usual.
      await conversationRoutesWork(api);
      const chat = await chatting;
      expect(chat.ms).toBeGreaterThanOrEqual(350);
      expect(chat.ms).toBeLessThan(2_000);
      expect(chat.value.at(-1)).toMatchObject({ event: 'error', data: { code: 'llm_timeout' } });
    } finally {
      await t.close();
    }
  });
});
