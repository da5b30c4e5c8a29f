import type { Conversation, Message, MessageList, UsageReport } from '@sluice/contracts';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import { type ApiClient, expectError, registerUser } from './support/api-client';
import { collect, openChat, type ReceivedEvent, textOf, waitFor } from './support/sse';
import { startTestApp, type TestApp } from './support/test-app';

describe('chat stream (e2e, fake Ollama)', () => {
  let t: TestApp;
  let ollama: FakeOllama;
  let api: ApiClient;
  let token: string;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    t = await startTestApp({
      env: {
        OLLAMA_BASE_URL: ollama.url,
        LLM_MODEL: 'llama3.2:latest',
        MAX_MESSAGE_CHARS: '200',
        // Short, so a silent upstream shows it; parsers skip the comment lines in every other test.
        SSE_KEEPALIVE_MS: '60',
      },
    });
    const user = await registerUser(t.url);
    api = user.api;
    token = user.auth.accessToken;
  });
  afterAll(async () => {
    await t?.close();
    await ollama?.close();
  });
  beforeEach(() => ollama.reset());

  const newConversation = async (body: object = {}) =>
    (await api.post<Conversation>('/api/conversations', body)).body;
  const messagesOf = async (id: string) =>
    (await api.get<MessageList>(`/api/conversations/${id}/messages`)).body.items;
  const byName = (events: ReceivedEvent[]) => events.map((event) => event.event);

  it('streams the answer as meta, several deltas, usage and done, and stores both messages', async () => {
    ollama.script({
      tokens: ['The', ' sky', ' is', ' blue', '.'],
      delayMs: 5,
      usage: { promptTokens: 21, completionTokens: 5 },
    });
    const conversation = await newConversation();
    const stream = await openChat(t.url, token, conversation.id, { content: 'Why is the sky blue?' });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toContain('no-cache');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
    expect(stream.headers.get('x-request-id')).toEqual(expect.any(String));
    const events = await collect(stream);

    const names = byName(events);
    expect(names[0]).toBe('meta');
    expect(names.filter((name) => name === 'delta').length).toBe(5);
    expect(names[names.length - 1]).toBe('done');
    expect(names).not.toContain('error');
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
    expect(textOf(events)).toBe('The sky is blue.');

    const meta = events[0]!;
    if (meta.event !== 'meta') throw new Error('meta first');
    expect(meta.data).toEqual({
      conversationId: conversation.id,
      userMessageId: expect.any(String),
      assistantMessageId: expect.any(String),
      model: 'llama3.2:latest',
      provider: 'ollama',
    });
    expect(events[events.length - 1]!.data).toEqual({
      finishReason: 'stop',
      usage: { promptTokens: 21, completionTokens: 5, totalTokens: 26 },
    });

    // Stored by the time `done` arrived.
    const [userMessage, answer] = await messagesOf(conversation.id);
    expect(userMessage).toMatchObject<Partial<Message>>({
      id: meta.data.userMessageId,
      role: 'user',
      content: 'Why is the sky blue?',
      status: 'complete',
    });
    expect(answer).toMatchObject<Partial<Message>>({
      id: meta.data.assistantMessageId,
      role: 'assistant',
      content: 'The sky is blue.',
      status: 'complete',
      model: 'llama3.2:latest',
      provider: 'ollama',
      promptTokens: 21,
      completionTokens: 5,
      errorCode: null,
    });
    expect(answer!.ttftMs).toEqual(expect.any(Number));
    expect(answer!.durationMs).toBeGreaterThanOrEqual(answer!.ttftMs!);

    // The upstream got the user's message; the conversation took its title from it.
    const [call] = ollama.calls;
    expect(call!.body).toMatchObject({ model: 'llama3.2:latest', stream: true });
    expect((call!.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'Why is the sky blue?' },
    ]);
    expect((await api.get<Conversation>(`/api/conversations/${conversation.id}`)).body.title).toBe(
      'Why is the sky blue?',
    );

    const usage = await api.get<UsageReport>('/api/usage');
    expect(usage.status).toBe(200);
    expect(usage.body.days).toContainEqual({
      day: new Date().toISOString().slice(0, 10),
      model: 'llama3.2:latest',
      messages: 1,
      promptTokens: 21,
      completionTokens: 5,
      totalTokens: 26,
      requests: { complete: 1, interrupted: 0, failed: 0 },
    });
  });

  it("stores an answer whose text holds the model's NUL characters (as U+FFFD)", async () => {
    ollama.script({ tokens: ['before', '\u0000', 'after'] });
    const conversation = await newConversation();
    const events = await collect(await openChat(t.url, token, conversation.id, { content: 'Say NUL' }));
    expect(textOf(events)).toBe('before\u0000after');
    expect(events.at(-1)?.event).toBe('done');
    const [, answer] = await messagesOf(conversation.id);
    expect(answer).toMatchObject({ status: 'complete', content: 'before\uFFFDafter' });
  });

  it('sends the earlier messages as context, with the conversation model', async () => {
    ollama.script({ tokens: ['Paris', '.'] }, { tokens: ['About', ' 2.1', ' million', '.'] });
    const conversation = await newConversation({ model: 'llama3.2' });
    await collect(await openChat(t.url, token, conversation.id, { content: 'Capital of France?' }));
    const second = await collect(await openChat(t.url, token, conversation.id, { content: 'Population?' }));
    expect(textOf(second)).toBe('About 2.1 million.');
    const [, call] = await ollama.waitForRequests(2);
    expect(call!.body).toMatchObject({ model: 'llama3.2' });
    expect((call!.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'Population?' },
    ]);
    expect((await messagesOf(conversation.id)).map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
  });

  it('turns an upstream cut into an error event and keeps the text produced so far', async () => {
    ollama.script({ tokens: ['One', ' two', ' three', ' four'], cutAfterTokens: 2, delayMs: 5 });
    const conversation = await newConversation();
    const events = await collect(await openChat(t.url, token, conversation.id, { content: 'Count' }));
    expect(byName(events)).toEqual(['meta', 'delta', 'delta', 'error']);
    const error = events[3]!;
    expect(error.data).toMatchObject({ code: 'llm_error', retryable: true });
    const [, answer] = await messagesOf(conversation.id);
    expect(answer).toMatchObject({ status: 'failed', content: 'One two', errorCode: 'llm_error' });
    expect(answer!.durationMs).toEqual(expect.any(Number));
  });

  it('reports an in-stream upstream error and an unknown model as error events', async () => {
    ollama.script({
      tokens: ['Partial', ' answer', ' lost'],
      errorAfterTokens: 1,
      streamErrorMessage: 'out of memory',
    });
    const conversation = await newConversation();
    const failed = await collect(await openChat(t.url, token, conversation.id, { content: 'Go' }));
    expect(byName(failed)).toEqual(['meta', 'delta', 'error']);
    // The upstream's own words ("out of memory") stay in the log: the user gets a sentence and the id.
    expect(failed[2]!.data).toEqual({
      code: 'llm_error',
      message: 'The model server failed while answering.',
      retryable: true,
      requestId: expect.any(String),
    });

    const unknown = await collect(
      await openChat(t.url, token, conversation.id, { content: 'Again', model: 'no-such-model' }),
    );
    expect(byName(unknown)).toEqual(['meta', 'error']);
    expect(unknown[1]!.data).toMatchObject({ code: 'model_not_found', retryable: false });
    const stored = await messagesOf(conversation.id);
    expect(stored.map((m) => [m.role, m.status, m.errorCode])).toEqual([
      ['user', 'complete', null],
      ['assistant', 'failed', 'llm_error'],
      ['user', 'complete', null],
      ['assistant', 'failed', 'model_not_found'],
    ]);
    expect(stored[1]!.content).toBe('Partial');
    expect(stored[3]!.model).toBe('no-such-model');
  });

  it('aborts the upstream call when the client goes away and stores the answer as interrupted', async () => {
    ollama.script({ tokens: Array.from({ length: 200 }, (_, i) => ` w${i}`), delayMs: 20 });
    const conversation = await newConversation();
    const stream = await openChat(t.url, token, conversation.id, { content: 'Tell me a long story' });
    const seen: ReceivedEvent[] = [];
    for await (const event of stream.events) {
      seen.push(event);
      if (seen.filter((e) => e.event === 'delta').length === 3) break;
    }
    stream.abort();
    const [call] = await ollama.waitForRequests(1);
    const aborted = await ollama.waitForAbort(call!, 5_000);
    expect(aborted.aborted).toBe(true);

    let answer: Message | undefined;
    await waitFor(
      async () => {
        answer = (await messagesOf(conversation.id))[1];
        return answer?.status !== 'streaming';
      },
      5_000,
      'the answer to be finalised',
    );
    expect(answer).toMatchObject({ status: 'interrupted', errorCode: 'client_closed' });
    expect(answer!.content.startsWith(' w0 w1 w2')).toBe(true);
    expect(answer!.content.length).toBeLessThan(200 * 4);
  });

  it('writes a keep-alive comment while the upstream is silent', async () => {
    const conversation = await newConversation();
    ollama.script({ tokens: ['late'], stallBeforeFirstTokenMs: 300 });
    const response = await fetch(`${t.url}/api/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ content: 'hello?' }),
    });
    const raw = await response.text();
    expect(raw).toMatch(/^: keep-alive$/m);
    expect(raw.indexOf(': keep-alive')).toBeLessThan(raw.indexOf('event: delta'));
    expect(raw).toContain('event: done');
  });

  it('answers JSON errors, not a stream, for bad input, and stores nothing', async () => {
    const conversation = await newConversation();
    const blank = await openChat(t.url, token, conversation.id, { content: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.errorBody?.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'content', message: 'must not be blank' }],
    });
    const long = await openChat(t.url, token, conversation.id, { content: 'x'.repeat(201) });
    expect(long.status).toBe(413);
    expect(long.errorBody?.error.code).toBe('payload_too_large');
    expectError(
      await api.post(`/api/conversations/${conversation.id}/messages`, {}),
      400,
      'validation_failed',
    );
    const missing = await openChat(t.url, token, crypto.randomUUID(), { content: 'hi' });
    expect(missing.status).toBe(404);
    expect(await messagesOf(conversation.id)).toEqual([]);
    expect(ollama.calls).toHaveLength(0);
  });
});
