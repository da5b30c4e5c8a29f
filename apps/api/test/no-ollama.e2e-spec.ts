import type { Conversation, HealthDetails, MessageList, Readiness } from '@sluice/contracts';
import { DataSource } from 'typeorm';
import { runAdminCommand } from '../src/admin-cli/admin-command';
import { type ApiClient, expectError, registerUser } from './support/api-client';
import { deadUrl } from './support/net';
import { collect, openChat } from './support/sse';
import { llmStage, upstreamSeenByApi } from './support/llm-stage';
import { startTestApp, type TestApp } from './support/test-app';

// `npm start` with no Ollama running: everything but the LLM works, and the LLM errors say so in plain
// words with the request id (where the API looked is in its log, not in what a user is told).
describe('without Ollama (e2e)', () => {
  let t: TestApp;
  let ollamaUrl: string;
  let api: ApiClient;
  let token: string;
  let email: string;

  beforeAll(async () => {
    ollamaUrl = await deadUrl();
    // No LLM_MODEL either: the default model would be the first one Ollama lists.
    t = await startTestApp({ env: { OLLAMA_BASE_URL: ollamaUrl } });
    const user = await registerUser(t.url);
    api = user.api;
    token = user.auth.accessToken;
    email = user.auth.user.email;
  });
  afterAll(() => t?.close());

  it('starts, and auth and conversations work', async () => {
    expect((await api.get('/api/auth/me')).status).toBe(200);
    const created = await api.post<Conversation>('/api/conversations', { title: 'offline' });
    expect(created.status).toBe(201);
    expect((await api.get(`/api/conversations/${created.body.id}`)).status).toBe(200);
  });

  it('answers /api/models with llm_unavailable, in plain words', async () => {
    const error = expectError(await api.get('/api/models'), 503, 'llm_unavailable');
    expect(error.message).toBe('The model server is not available right now.');
  });

  it('streams an llm_unavailable error event and stores the answer as failed', async () => {
    const conversation = (await api.post<Conversation>('/api/conversations', {})).body;
    const stream = await openChat(t.url, token, conversation.id, { content: 'Anyone there?' });
    expect(stream.status).toBe(200);
    const events = await collect(stream);
    expect(events.map((event) => event.event)).toEqual(['meta', 'error']);
    expect(events[0]!.data).toMatchObject({ model: null, provider: null });
    expect(events[1]!.data).toEqual({
      code: 'llm_unavailable',
      message: 'The model server is not available right now.',
      retryable: true,
      requestId: stream.headers.get('x-request-id'),
    });
    const messages = (await api.get<MessageList>(`/api/conversations/${conversation.id}/messages`)).body
      .items;
    expect(messages.map((m) => [m.role, m.status, m.errorCode])).toEqual([
      ['user', 'complete', null],
      ['assistant', 'failed', 'llm_unavailable'],
    ]);
  });

  it('stays ready (200) and reports the upstream as down, its address and error to admins only', async () => {
    const ready = await api.get<Readiness>('/health/ready');
    expect(ready.status).toBe(200);
    const { provider, baseUrl } = upstreamSeenByApi(t, {
      provider: 'ollama',
      kind: 'ollama',
      baseUrl: ollamaUrl,
    });
    expect(ready.body).toEqual({
      status: 'degraded',
      database: { status: 'up' },
      llm: [{ provider, status: 'down' }],
    });
    expect(JSON.stringify(ready.body)).not.toContain(new URL(baseUrl).host);

    await runAdminCommand(t.app.get(DataSource), { name: 'grant', email });
    const details = await api.get<HealthDetails>('/api/admin/health');
    expect(details.body.llm).toEqual([
      expect.objectContaining({
        ...upstreamSeenByApi(t, { provider: 'ollama', kind: 'ollama', baseUrl: ollamaUrl }),
        status: 'down',
        ok: false,
        error: expect.objectContaining({ code: 'unavailable' }),
      }),
    ]);
    // Stage one names the address it could not reach. A gateway never tells its callers where its
    // upstreams are; its own log does.
    const message = details.body.llm[0]?.error?.message ?? '';
    if (llmStage === 'inprocess') expect(message).toContain(ollamaUrl);
    else expect(message).not.toContain(ollamaUrl);
  });
});
