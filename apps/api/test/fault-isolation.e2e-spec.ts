import type { Conversation } from '@sluice/contracts';
import { type FakeOllama, type FakeScript, startFakeOllama } from '@sluice/llm-provider/testing';
import { registerUser } from './support/api-client';
import { collect, openChat, type ReceivedEvent } from './support/sse';
import { startTestApp, type TestApp } from './support/test-app';

const MODEL = 'llama3.2:latest';
const BROKEN = 'broken:latest';
const CRASHING: FakeScript = { httpError: { status: 500, message: 'llama runner process has terminated' } };
const COOLDOWN_MS = 1_000;

interface Chatter {
  token: string;
  conversationId: string;
}

/**
 * Faults stay where they start, through the API as the browser uses it (the API reads each answer
 * until its terminal event), in both stages: stage two puts a real gateway, with its own breakers and
 * the API's breaker for the gateway, between the API and the model server.
 */
describe('fault isolation (e2e)', () => {
  let ollama: FakeOllama;
  let t: TestApp;

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: [{ id: MODEL }, { id: BROKEN, script: CRASHING }] });
    t = await startTestApp({
      env: {
        OLLAMA_BASE_URL: ollama.url,
        LLM_MODEL: MODEL,
        LLM_MAX_RETRIES: '0',
        LLM_BREAKER_FAILURES: '5',
        LLM_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await ollama?.close();
  });
  beforeEach(() => {
    ollama.reset();
    ollama.models.find((model) => model.id === BROKEN)!.script = CRASHING;
  });

  async function chatter(): Promise<Chatter> {
    const { api, auth } = await registerUser(t.url);
    const conversation = (await api.post<Conversation>('/api/conversations', {})).body;
    return { token: auth.accessToken, conversationId: conversation.id };
  }
  async function say(who: Chatter, content: string, model?: string): Promise<ReceivedEvent> {
    const body = model === undefined ? { content } : { content, model };
    const events = await collect(await openChat(t.url, who.token, who.conversationId, body));
    const last = events.at(-1);
    if (!last) throw new Error('the stream ended without an event');
    return last;
  }
  const endsOf = (events: ReceivedEvent[]) =>
    events.map((event) => (event.event === 'error' ? event.data.code : event.event));

  it('cut, ok, cut, ok… twenty times: every healthy message is answered', async () => {
    const ada = await chatter();
    for (let i = 0; i < 20; i++) {
      ollama.script({ tokens: ['Half', ' an', ' answer'], cutAfterTokens: 1 }, {});
      expect(await say(ada, `cut ${i}`)).toMatchObject({ event: 'error', data: { code: 'llm_error' } });
      expect((await say(ada, `ok ${i}`)).event).toBe('done');
    }
  });

  it("a model that keeps failing stops only that model, never another user's", async () => {
    const [ada, bob] = await Promise.all([chatter(), chatter()]);
    const broken: ReceivedEvent[] = [];
    const healthy: ReceivedEvent[] = [];
    for (let i = 0; i < 7; i++) {
      const [mine, theirs] = await Promise.all([say(ada, `try ${i}`, BROKEN), say(bob, `hello ${i}`)]);
      broken.push(mine);
      healthy.push(theirs);
    }
    expect(endsOf(healthy)).toEqual(Array(7).fill('done'));
    // Five failures open the broken model's circuit: the next messages are refused without a call,
    // and told when to come back.
    expect(endsOf(broken)).toEqual([...Array(5).fill('llm_error'), 'llm_unavailable', 'llm_unavailable']);
    for (const refused of broken.slice(5)) {
      expect(refused.event === 'error' && refused.data.retryAfterMs).toBeGreaterThanOrEqual(1_000);
      expect(refused.event === 'error' && refused.data.message).not.toMatch(/circuit|127\.0\.0\.1/);
    }
    expect(ollama.calls.filter((call) => (call.body as { model: string }).model === BROKEN)).toHaveLength(5);
  });

  it('after the cooldown one message probes; its success closes the circuit and 50 healthy messages all succeed', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => chatter()));
    for (let i = 0; i < 5; i++) await say(users[0]!, `fail ${i}`, BROKEN);
    expect(await say(users[0]!, 'refused', BROKEN)).toMatchObject({
      event: 'error',
      data: { code: 'llm_unavailable' },
    });

    // Back, and slow: the probe outlasts the burst.
    ollama.models.find((model) => model.id === BROKEN)!.script = { delayMs: 500 };
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 50));
    const burst = await Promise.all(users.map((user, i) => say(user, `probe ${i}`, BROKEN)));
    expect(endsOf(burst).filter((end) => end === 'done')).toHaveLength(1);
    for (const refused of burst.filter((end) => end.event === 'error')) {
      expect(refused).toMatchObject({ event: 'error', data: { code: 'llm_unavailable', retryable: true } });
      expect(refused.event === 'error' && refused.data.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    }

    ollama.models.find((model) => model.id === BROKEN)!.script = {};
    const after: ReceivedEvent[] = [];
    for (let round = 0; round < 50 / users.length + 1 && after.length < 50; round++) {
      const batch = users.slice(0, Math.min(users.length, 50 - after.length));
      after.push(...(await Promise.all(batch.map((user, i) => say(user, `after ${round}.${i}`, BROKEN)))));
    }
    expect(after).toHaveLength(50);
    expect(endsOf(after)).toEqual(Array(50).fill('done'));
  });
});
