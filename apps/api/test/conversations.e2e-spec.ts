import type { Conversation, ConversationPage, MessageList } from '@sluice/contracts';
import { type ApiClient, expectError, registerUser } from './support/api-client';
import { deadUrl } from './support/net';
import { startTestApp, type TestApp } from './support/test-app';

describe('conversations (e2e)', () => {
  let t: TestApp;
  let alice: ApiClient;
  let bob: ApiClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { OLLAMA_BASE_URL: await deadUrl() } });
    alice = (await registerUser(t.url)).api;
    bob = (await registerUser(t.url)).api;
  });
  afterAll(() => t?.close());

  it('creates, reads, renames and deletes a conversation', async () => {
    const created = await alice.post<Conversation>('/api/conversations', {
      title: '  Trip to Lisbon ',
      model: 'llama3.2',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: 'Trip to Lisbon',
      model: 'llama3.2',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = created.body.id;

    expect((await alice.get<Conversation>(`/api/conversations/${id}`)).body).toEqual(created.body);

    const renamed = await alice.patch<Conversation>(`/api/conversations/${id}`, { title: 'Lisbon, May' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, title: 'Lisbon, May', model: 'llama3.2' });
    const unset = await alice.patch<Conversation>(`/api/conversations/${id}`, { model: null });
    expect(unset.body).toMatchObject({ title: 'Lisbon, May', model: null });

    expect((await alice.get<MessageList>(`/api/conversations/${id}/messages`)).body).toEqual({ items: [] });

    expect((await alice.delete(`/api/conversations/${id}`)).status).toBe(204);
    expectError(await alice.get(`/api/conversations/${id}`), 404, 'not_found');
    expectError(await alice.delete(`/api/conversations/${id}`), 404, 'not_found');
  });

  it('creates a conversation without a body', async () => {
    const created = await alice.post<Conversation>('/api/conversations');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: null, model: null });
  });

  it('lists the caller’s conversations newest first, page by page', async () => {
    const { api: carol } = await registerUser(t.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await carol.post<Conversation>('/api/conversations', { title: `c${i}` })).body.id);
    // Renaming moves a conversation up: it is activity.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await carol.patch(`/api/conversations/${ids[1]}`, { title: 'c1 renamed' });

    const all = await carol.get<ConversationPage>('/api/conversations');
    const order = all.body.items.map((c) => c.id);
    expect(all.body.nextCursor).toBeNull();
    expect(order[0]).toBe(ids[1]);
    expect([...order].sort()).toEqual([...ids].sort());
    const stamps = all.body.items.map((c) => c.updatedAt);
    expect([...stamps].sort().reverse()).toEqual(stamps);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const page = await carol.get<ConversationPage>(`/api/conversations${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(order);
    expect(pages).toBe(3);
  });

  it('never shows, changes or deletes someone else’s conversation (404, not 403)', async () => {
    const mine = (await alice.post<Conversation>('/api/conversations', { title: 'private' })).body;
    expectError(await bob.get(`/api/conversations/${mine.id}`), 404, 'not_found');
    expectError(await bob.get(`/api/conversations/${mine.id}/messages`), 404, 'not_found');
    expectError(await bob.patch(`/api/conversations/${mine.id}`, { title: 'mine now' }), 404, 'not_found');
    expectError(await bob.delete(`/api/conversations/${mine.id}`), 404, 'not_found');
    expectError(
      await bob.post(`/api/conversations/${mine.id}/messages`, { content: 'hi' }),
      404,
      'not_found',
    );
    const bobs = await bob.get<ConversationPage>('/api/conversations');
    expect(bobs.body.items.map((c) => c.id)).not.toContain(mine.id);
    // Still there, unchanged, for its owner.
    expect((await alice.get<Conversation>(`/api/conversations/${mine.id}`)).body.title).toBe('private');
  });

  it('validates bodies, queries and ids', async () => {
    const badTitle = expectError(
      await alice.post('/api/conversations', { title: 'x'.repeat(201), model: 'bad model!' }),
      400,
      'validation_failed',
    );
    expect(badTitle.details).toEqual(
      expect.arrayContaining([
        { path: 'title', message: 'must be at most 200 characters' },
        { path: 'model', message: expect.stringContaining('may contain only') },
      ]),
    );
    expectError(await alice.patch(`/api/conversations/${crypto.randomUUID()}`, {}), 400, 'validation_failed');
    const limit = expectError(await alice.get('/api/conversations?limit=500'), 400, 'validation_failed');
    expect(limit.details).toEqual([{ path: 'limit', message: 'must be at most 100' }]);
    expectError(await alice.get('/api/conversations?cursor=garbage'), 400, 'validation_failed');
    expectError(await alice.get('/api/conversations/not-a-uuid'), 404, 'not_found');
    expectError(await alice.get(`/api/conversations/${crypto.randomUUID()}`), 404, 'not_found');
  });
});
