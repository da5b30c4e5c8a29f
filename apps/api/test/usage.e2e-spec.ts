import type { Conversation, UsageReport, UsageRow } from '@sluice/contracts';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import { Client } from 'pg';
import { type ApiClient, registerUser } from './support/api-client';
import { collect, openChat, type ReceivedEvent, waitFor } from './support/sse';
import { startTestApp, type TestApp } from './support/test-app';

interface UsageRecordRow {
  caller: string;
  user_id: string;
  conversation_id: string | null;
  assistant_message_id: string | null;
  model: string | null;
  provider: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  ttft_ms: number | null;
  duration_ms: number;
  outcome: string;
  error_code: string | null;
}

const TODAY = () => new Date().toISOString().slice(0, 10);

describe('usage accounting (e2e, real PostgreSQL)', () => {
  let t: TestApp;
  let ollama: FakeOllama;
  let db: Client;

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: [{ id: 'llama3.2:latest' }, { id: 'qwen3:latest' }] });
    t = await startTestApp({ env: { OLLAMA_BASE_URL: ollama.url, LLM_MODEL: 'llama3.2:latest' } });
    db = new Client({ connectionString: t.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await ollama?.close();
  });
  beforeEach(() => ollama.reset());

  const newUser = async () => {
    const { api, auth } = await registerUser(t.url);
    return { api, token: auth.accessToken, id: auth.user.id };
  };
  const newConversation = async (api: ApiClient, body: object = {}) =>
    (await api.post<Conversation>('/api/conversations', body)).body;
  const recordsOf = async (userId: string): Promise<UsageRecordRow[]> =>
    (
      await db.query<UsageRecordRow>(
        `SELECT caller, user_id, conversation_id, assistant_message_id, model, provider, prompt_tokens,
                completion_tokens, ttft_ms, duration_ms, outcome, error_code
           FROM usage_records WHERE user_id = $1 ORDER BY created_at`,
        [userId],
      )
    ).rows;
  const metaOf = (events: ReceivedEvent[]) => {
    const meta = events.find((event) => event.event === 'meta');
    if (meta?.event !== 'meta') throw new Error('no meta event');
    return meta.data;
  };

  it('records a complete answer with its model, tokens and timings', async () => {
    const user = await newUser();
    ollama.script({ tokens: ['Hi', ' there'], usage: { promptTokens: 30, completionTokens: 7 } });
    const conversation = await newConversation(user.api);
    const events = await collect(await openChat(t.url, user.token, conversation.id, { content: 'Hello' }));
    expect(events[events.length - 1]!.event).toBe('done');

    // Written before `done` went out.
    const [row, ...others] = await recordsOf(user.id);
    expect(others).toEqual([]);
    expect(row).toMatchObject<Partial<UsageRecordRow>>({
      caller: 'web',
      conversation_id: conversation.id,
      assistant_message_id: metaOf(events).assistantMessageId,
      model: 'llama3.2:latest',
      prompt_tokens: 30,
      completion_tokens: 7,
      outcome: 'complete',
      error_code: null,
    });
    expect(row!.provider).toEqual(expect.any(String));
    expect(row!.ttft_ms).toEqual(expect.any(Number));
    expect(row!.duration_ms).toBeGreaterThanOrEqual(row!.ttft_ms!);
  });

  it('records an upstream failure as failed, with its error code', async () => {
    const user = await newUser();
    ollama.script({ tokens: ['One', ' two', ' three'], cutAfterTokens: 1, delayMs: 5 });
    const conversation = await newConversation(user.api);
    const events = await collect(await openChat(t.url, user.token, conversation.id, { content: 'Count' }));
    expect(events[events.length - 1]!.event).toBe('error');
    const rows = await recordsOf(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      outcome: 'failed',
      error_code: 'llm_error',
      model: 'llama3.2:latest',
      prompt_tokens: 0,
      completion_tokens: 0,
      assistant_message_id: metaOf(events).assistantMessageId,
    });
  });

  it('records a client disconnect as interrupted', async () => {
    const user = await newUser();
    ollama.script({ tokens: Array.from({ length: 200 }, (_, i) => ` w${i}`), delayMs: 20 });
    const conversation = await newConversation(user.api);
    const stream = await openChat(t.url, user.token, conversation.id, { content: 'A long story' });
    let deltas = 0;
    for await (const event of stream.events) {
      if (event.event === 'delta' && ++deltas === 2) break;
    }
    stream.abort();
    let rows: UsageRecordRow[] = [];
    await waitFor(
      async () => (rows = await recordsOf(user.id)).length > 0,
      5_000,
      'the usage row of the interrupted answer',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      outcome: 'interrupted',
      error_code: 'client_closed',
      conversation_id: conversation.id,
      model: 'llama3.2:latest',
    });
    expect(rows[0]!.ttft_ms).toEqual(expect.any(Number));
  });

  it('keeps the usage when the conversation is deleted', async () => {
    const user = await newUser();
    ollama.script({ tokens: ['Kept'], usage: { promptTokens: 10, completionTokens: 1 } });
    const conversation = await newConversation(user.api);
    await collect(await openChat(t.url, user.token, conversation.id, { content: 'Remember me' }));
    expect((await user.api.delete(`/api/conversations/${conversation.id}`)).status).toBe(204);

    const rows = await recordsOf(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      conversation_id: null,
      assistant_message_id: null,
      outcome: 'complete',
      prompt_tokens: 10,
      completion_tokens: 1,
    });
    const report = (await user.api.get<UsageReport>('/api/usage')).body;
    expect(report.totals).toEqual({
      messages: 1,
      promptTokens: 10,
      completionTokens: 1,
      totalTokens: 11,
      requests: { complete: 1, interrupted: 0, failed: 0 },
    });
  });

  it('totals per day and model, and overall, and only the caller’s own', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const conversation = await newConversation(alice.api);
    ollama.script(
      { tokens: ['a'], usage: { promptTokens: 10, completionTokens: 2 } },
      { tokens: ['b'], usage: { promptTokens: 20, completionTokens: 3 } },
      { tokens: ['c'], usage: { promptTokens: 40, completionTokens: 5 } },
      { tokens: ['x', 'y'], cutAfterTokens: 1 },
    );
    await collect(await openChat(t.url, alice.token, conversation.id, { content: '1' }));
    await collect(await openChat(t.url, alice.token, conversation.id, { content: '2' }));
    await collect(
      await openChat(t.url, alice.token, conversation.id, { content: '3', model: 'qwen3:latest' }),
    );
    await collect(await openChat(t.url, alice.token, conversation.id, { content: '4' }));
    // Bob's usage, and one of Alice's from three days ago (written as the chat would have).
    const bobConversation = await newConversation(bob.api);
    ollama.script({ tokens: ['bob'], usage: { promptTokens: 1_000, completionTokens: 100 } });
    await collect(await openChat(t.url, bob.token, bobConversation.id, { content: 'mine' }));
    const earlier = new Date(Date.now() - 3 * 86_400_000);
    await db.query(
      `INSERT INTO usage_records (caller, user_id, model, provider, prompt_tokens, completion_tokens,
                                  duration_ms, outcome, created_at)
       VALUES ('web', $1, 'llama3.2:latest', 'ollama', 100, 50, 900, 'complete', $2)`,
      [alice.id, earlier],
    );

    const today = TODAY();
    const day = earlier.toISOString().slice(0, 10);
    const report = await alice.api.get<UsageReport>('/api/usage');
    expect(report.status).toBe(200);
    expect(report.body.days).toEqual<UsageRow[]>([
      {
        day,
        model: 'llama3.2:latest',
        messages: 1,
        promptTokens: 100,
        completionTokens: 50,
        totalTokens: 150,
        requests: { complete: 1, interrupted: 0, failed: 0 },
      },
      {
        day: today,
        model: 'llama3.2:latest',
        messages: 3,
        promptTokens: 30,
        completionTokens: 5,
        totalTokens: 35,
        requests: { complete: 2, interrupted: 0, failed: 1 },
      },
      {
        day: today,
        model: 'qwen3:latest',
        messages: 1,
        promptTokens: 40,
        completionTokens: 5,
        totalTokens: 45,
        requests: { complete: 1, interrupted: 0, failed: 0 },
      },
    ]);
    expect(report.body.totals).toEqual({
      messages: 5,
      promptTokens: 170,
      completionTokens: 60,
      totalTokens: 230,
      requests: { complete: 4, interrupted: 0, failed: 1 },
    });

    // A range: only the earlier day.
    const range = await alice.api.get<UsageReport>(`/api/usage?from=${day}&to=${day}`);
    expect(range.body.days.map((row) => [row.day, row.messages])).toEqual([[day, 1]]);
    expect(range.body.totals.totalTokens).toBe(150);

    // Bob sees his own and nothing of Alice's.
    const bobs = await bob.api.get<UsageReport>('/api/usage');
    expect(bobs.body.days).toEqual([
      {
        day: today,
        model: 'llama3.2:latest',
        messages: 1,
        promptTokens: 1_000,
        completionTokens: 100,
        totalTokens: 1_100,
        requests: { complete: 1, interrupted: 0, failed: 0 },
      },
    ]);
  });

  it('never fails the stream when the usage row cannot be written', async () => {
    const user = await newUser();
    const conversation = await newConversation(user.api);
    // Every insert into usage_records fails from here on (for this test only).
    await db.query(
      `ALTER TABLE usage_records ADD CONSTRAINT usage_records_broken_chk CHECK (false) NOT VALID`,
    );
    try {
      ollama.script({ tokens: ['Still', ' fine'] });
      const events = await collect(await openChat(t.url, user.token, conversation.id, { content: 'Hi' }));
      const names = events.map((event) => event.event);
      expect(names[names.length - 1]).toBe('done');
      expect(names).not.toContain('error');
    } finally {
      await db.query(`ALTER TABLE usage_records DROP CONSTRAINT usage_records_broken_chk`);
    }
    expect(await recordsOf(user.id)).toEqual([]);
  });
});
