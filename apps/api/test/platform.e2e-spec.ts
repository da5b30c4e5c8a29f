import { Client } from 'pg';
import type { Conversation, HealthDetails, MessageList, ModelList, Readiness } from '@sluice/contracts';
import { DataSource } from 'typeorm';
import { runAdminCommand } from '../src/admin-cli/admin-command';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import { ApiClient, expectError, registerUser } from './support/api-client';
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
    // Status only: no address, error text or timing for anyone who asks.
    const { provider } = upstreamSeenByApi(t, { provider: 'ollama', kind: 'ollama', baseUrl: ollama.url });
    expect(ready.body).toEqual({
      status: 'ok',
      database: { status: 'up' },
      llm: [{ provider, status: 'up' }],
    });
  });

  it('gives the details of readiness to admins only, at /api/admin/health', async () => {
    const anonymous = new ApiClient(t.url);
    expectError(await anonymous.get('/api/admin/health'), 401, 'unauthorized');
    const { api: user, auth } = await registerUser(t.url);
    expectError(await user.get('/api/admin/health'), 403, 'forbidden');

    await runAdminCommand(t.app.get(DataSource), { name: 'grant', email: auth.user.email });
    const details = await user.get<HealthDetails>('/api/admin/health');
    expect(details.status).toBe(200);
    expect(details.headers.get('cache-control')).toBe('no-store');
    expect(details.body).toEqual({
      status: 'ok',
      database: { status: 'up', latencyMs: expect.any(Number) },
      llm: [
        expect.objectContaining({
          ...upstreamSeenByApi(t, { provider: 'ollama', kind: 'ollama', baseUrl: ollama.url }),
          status: 'up',
          ok: true,
          latencyMs: expect.any(Number),
          circuit: 'closed',
        }),
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

describe('the OpenAPI UI in production (e2e)', () => {
  const docsOf = async (env: Record<string, string>) => {
    const app = await startTestApp({ env: { OLLAMA_BASE_URL: 'http://127.0.0.1:9', ...env } });
    try {
      const api = new ApiClient(app.url);
      return [(await api.get('/api/docs')).status, (await api.get('/api/docs/openapi.json')).status];
    } finally {
      await app.close();
    }
  };

  it('is off with NODE_ENV=production, on again with API_DOCS=true', async () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'q3Jk9Xv2mPz8Lw0Rt5Yb1Nc7Hs4Gd6Fa+Ue/Ki3Oj8Wl2Zx9Cv5',
    };
    expect(await docsOf(production)).toEqual([404, 404]);
    expect(await docsOf({ ...production, API_DOCS: 'true' })).toEqual([200, 200]);
    expect(await docsOf({ API_DOCS: 'false' })).toEqual([404, 404]);
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
      expect(ready.body.database).toEqual({ status: 'down' });
      expect(JSON.stringify(ready.body)).not.toContain(own.name);
      expect((await new ApiClient(app.url).get('/health/live')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
