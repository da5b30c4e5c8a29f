import type { Conversation } from '@sluice/contracts';
import { type FakeOllama, type RecordedRequest, startFakeOllama } from '@sluice/llm-provider/testing';
import { Client } from 'pg';
import { type ApiClient, registerUser } from './support/api-client';
import { collect, openChat, textOf } from './support/sse';
import { startTestApp, type TestApp } from './support/test-app';

const MAX_REQUEST_BYTES = 262_144;
const RESERVE_TOKENS = 2048;
const DEFAULT_CONTEXT_TOKENS = 8192;
/** Ollama runs it with its Modelfile's num_ctx, smaller than what it was trained for. */
const TUNED = { id: 'llama3.2:latest', contextLength: 131_072, numCtx: 16_384 };
/** How users name it: Ollama adds the tag, and so must the window's lookup in both stages. */
const TUNED_NAME = 'llama3.2';
const WIDE = { id: 'wide:latest', contextLength: 1_000_000 };

interface SentMessage {
  role: string;
  content: string;
}

const utf8 = (text: string) => Buffer.byteLength(text);
const messagesOf = (call: RecordedRequest) => (call.body as { messages: SentMessage[] }).messages;

/**
 * One user's conversation holds 10 MB of history, far past the gateway's 4 MiB body limit: every
 * message still gets an answer, and the model gets the newest messages that fit its window and the
 * request size limit. In stage two the window comes through the gateway.
 */
describe('a very long conversation (e2e, fake Ollama, 10 MB of history in PostgreSQL)', () => {
  let t: TestApp;
  let ollama: FakeOllama;
  let db: Client;
  let heavy: { api: ApiClient; token: string };
  let light: { api: ApiClient; token: string };

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: [TUNED, WIDE] });
    t = await startTestApp({
      env: {
        OLLAMA_BASE_URL: ollama.url,
        LLM_MODEL: TUNED_NAME,
        CHAT_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
        CHAT_ANSWER_RESERVE_TOKENS: String(RESERVE_TOKENS),
        CHAT_DEFAULT_CONTEXT_TOKENS: String(DEFAULT_CONTEXT_TOKENS),
      },
    });
    db = new Client({ connectionString: t.config.databaseUrl });
    await db.connect();
    const [a, b] = await Promise.all([registerUser(t.url), registerUser(t.url)]);
    heavy = { api: a.api, token: a.auth.accessToken };
    light = { api: b.api, token: b.auth.accessToken };
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await ollama?.close();
  });
  beforeEach(() => ollama.reset());

  /** A conversation of `count` stored messages, ~4 KB of mixed-width UTF-8 each, written straight to PostgreSQL. */
  async function seededConversation(model: string, count = 2_500): Promise<{ id: string; seeded: string[] }> {
    const { body } = await heavy.api.post<Conversation>('/api/conversations', { title: 'long', model });
    await db.query(
      `INSERT INTO messages (conversation_id, user_id, role, content, status)
       SELECT c.id, c.user_id, CASE WHEN i % 2 = 1 THEN 'user' ELSE 'assistant' END,
              '#' || i || ' ' || repeat('wörd 世界 ' || md5(i::text) || ' ', 90), 'complete'
         FROM conversations c, generate_series(1, $2::int) AS i
        WHERE c.id = $1
        ORDER BY i`,
      [body.id, count],
    );
    const rows = await db.query<{ content: string }>(
      `SELECT content FROM messages WHERE conversation_id = $1 ORDER BY seq`,
      [body.id],
    );
    const seeded = rows.rows.map((row) => row.content);
    expect(seeded.reduce((sum, content) => sum + utf8(content), 0)).toBeGreaterThan(10_000_000);
    return { id: body.id, seeded };
  }

  /** The model call that carried `content` as its newest message. */
  function callFor(content: string): RecordedRequest {
    const call = ollama.calls.find((c) => messagesOf(c).at(-1)?.content === content);
    if (!call) throw new Error(`no model call ended with ${JSON.stringify(content)}`);
    return call;
  }

  /** The history sent is the newest seeded messages, in order, roles kept, the new message last. */
  function expectNewestSuffix(sent: SentMessage[], seeded: string[], newMessage: string): SentMessage[] {
    const history = sent.slice(0, -1);
    expect(sent.at(-1)).toEqual({ role: 'user', content: newMessage });
    expect(history.length).toBeGreaterThan(0);
    expect(history.length).toBeLessThan(seeded.length);
    const first = seeded.length - history.length;
    expect(history).toEqual(
      seeded.slice(first).map((content, i) => ({
        role: (first + i) % 2 === 0 ? 'user' : 'assistant',
        content,
      })),
    );
    return history;
  }

  it('answers, and the model gets only the newest messages that fit its window', async () => {
    const { id, seeded } = await seededConversation(TUNED_NAME);
    ollama.script({ tokens: ['Still', ' here', '.'] });
    const question = 'What did we say last?';
    const events = await collect(await openChat(t.url, heavy.token, id, { content: question }));
    expect(events.at(-1)?.event).toBe('done');
    expect(textOf(events)).toBe('Still here.');

    const history = expectNewestSuffix(messagesOf(callFor(question)), seeded, question);
    const historyBytes = history.reduce((sum, m) => sum + utf8(m.content), 0);
    // No more than the model's window (num_ctx) less the reserve, at a token per 3 bytes or more...
    expect(historyBytes).toBeLessThanOrEqual((TUNED.numCtx - RESERVE_TOKENS) * 3);
    // ...and more than the default window would hold: the upstream's window was used.
    expect(historyBytes).toBeGreaterThan((DEFAULT_CONTEXT_TOKENS - RESERVE_TOKENS) * 3);
  });

  it('keeps the request under CHAT_MAX_REQUEST_BYTES when the window is larger still', async () => {
    const { id, seeded } = await seededConversation(WIDE.id);
    const question = 'And with a window of a million tokens?';
    const events = await collect(await openChat(t.url, heavy.token, id, { content: question }));
    expect(events.at(-1)?.event).toBe('done');

    const call = callFor(question);
    expectNewestSuffix(messagesOf(call), seeded, question);
    const messagesBytes = utf8(JSON.stringify(messagesOf(call)));
    expect(messagesBytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(messagesBytes).toBeGreaterThan(MAX_REQUEST_BYTES - utf8(JSON.stringify(seeded[0])) - 64);
    expect(utf8(call.rawBody)).toBeLessThan(MAX_REQUEST_BYTES + 1_024);
  });

  it('leaves another user chatting at the same time unaffected', async () => {
    const { body: mine } = await light.api.post<Conversation>('/api/conversations', {});
    ollama.script({ tokens: ['Hi', '!'] });
    await collect(await openChat(t.url, light.token, mine.id, { content: 'Hello' }));
    const { id: theirs, seeded } = await seededConversation(TUNED_NAME);

    ollama.script({ tokens: ['a', 'b', 'c'], delayMs: 20 }, { tokens: ['a', 'b', 'c'], delayMs: 20 });
    const [lightEvents, heavyEvents] = await Promise.all([
      openChat(t.url, light.token, mine.id, { content: 'How are you?' }).then(collect),
      openChat(t.url, heavy.token, theirs, { content: 'Meanwhile, over here' }).then(collect),
    ]);
    expect(lightEvents.at(-1)?.event).toBe('done');
    expect(heavyEvents.at(-1)?.event).toBe('done');
    expect(textOf(lightEvents)).toBe('abc');
    expect(messagesOf(callFor('How are you?'))).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi!' },
      { role: 'user', content: 'How are you?' },
    ]);
    expectNewestSuffix(messagesOf(callFor('Meanwhile, over here')), seeded, 'Meanwhile, over here');
  });
});
