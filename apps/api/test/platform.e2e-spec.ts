import { Client } from 'pg';
import type { Conversation, MessageList, ModelList, Readiness } from '@sluice/contracts';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import { ApiClient, registerUser } from './support/api-client';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { upstreamSeenByApi } from './support/llm-stage';
import { startTestApp, type TestApp } from './support/test-app';

describe('health, models and docs (e2e)', () => {
  let t: TestApp;
  let ollama: FakeOllama;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    t = await startTestApp({ env: { OLLAMA_BASE_URL: ollama.url } });
  });
  afterAll(async () => {
    await t?.close();
    await ollama?.close();
  });

  it('answers liveness and readiness without a token', async () => {
    const anonymous = new ApiClient(t.url);
    expect((await anonymous.get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await anonymous.get<Readiness>('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      database: { ok: true, latencyMs: expect.any(Number) },
      llm: [
        {
          ...upstreamSeenByApi(t, { provider: 'ollama', kind: 'ollama', baseUrl: ollama.url }),
          ok: true,
          latencyMs: expect.any(Number),
        },
      ],
    });
  });

  it('lists the models of the upstream', async () => {
    const { api } = await registerUser(t.url);
    const models = await api.get<ModelList>('/api/models');
    expect(models.status).toBe(200);
    expect(models.body.unavailable).toEqual([]);
    expect(models.body.models).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'llama3.2:latest', provider: 'ollama' })]),
    );
    expect((await new ApiClient(t.url).get('/api/models')).status).toBe(401);
  });

  it('serves the OpenAPI document, with request bodies, and its UI', async () => {
    const anonymous = new ApiClient(t.url);
    const ui = await anonymous.get<string>('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    expect(ui.body).toContain('swagger');
    const doc = await anonymous.get<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>(
      '/api/docs/openapi.json',
    );
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/register',
        '/api/auth/login',
        '/api/auth/me',
        '/api/conversations',
        '/api/conversations/{id}',
        '/api/conversations/{id}/messages',
        '/api/models',
        '/api/usage',
        '/health/ready',
      ]),
    );
    expect(JSON.stringify(doc.body.paths['/api/auth/register']!['post']!.requestBody)).toContain('password');
    expect(
      JSON.stringify(doc.body.paths['/api/conversations/{id}/messages']!['post']!.requestBody),
    ).toContain('content');
  });
});

describe('database lifecycle (e2e)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('marks answers left streaming by a stopped process as interrupted on boot, not a live replica’s', async () => {
    const first = await startTestApp({ db, env: { OLLAMA_BASE_URL: 'http://127.0.0.1:9' } });
    const { api, auth } = await registerUser(first.url);
    const conversation = (await api.post<Conversation>('/api/conversations', {})).body;
    await first.close();

    // What a process that died mid-answer leaves behind (renewed last two minutes ago), and an answer
    // another replica is streaming right now (renewed just now).
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `INSERT INTO messages (conversation_id, user_id, role, content, status, updated_at)
       VALUES ($1, $2, 'assistant', 'half an ans', 'streaming', now() - interval '2 minutes'),
              ($1, $2, 'assistant', 'still going', 'streaming', now())`,
      [conversation.id, auth.user.id],
    );
    await client.end();

    const second = await startTestApp({ db, env: { OLLAMA_BASE_URL: 'http://127.0.0.1:9' } });
    try {
      const api2 = new ApiClient(second.url, auth.accessToken);
      const messages = (await api2.get<MessageList>(`/api/conversations/${conversation.id}/messages`)).body
        .items;
      expect(messages).toEqual([
        expect.objectContaining({
          content: 'half an ans',
          status: 'interrupted',
          errorCode: 'server_restarted',
        }),
        expect.objectContaining({ content: 'still going', status: 'streaming' }),
      ]);
    } finally {
      await second.close();
    }
  });

  it('answers readiness 503 when the database is gone', async () => {
    const own = await createTestDatabase();
    const app = await startTestApp({ db: own, env: { OLLAMA_BASE_URL: 'http://127.0.0.1:9' } });
    try {
      await own.drop();
      const ready = await new ApiClient(app.url).get<Readiness>('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('down');
      expect(ready.body.database.ok).toBe(false);
      expect((await new ApiClient(app.url).get('/health/live')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
