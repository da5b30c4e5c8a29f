import fc from 'fast-check';
import { API_ERROR_CODES, type Conversation, type ErrorResponse } from '@sluice/contracts';
import {
  type FieldShapes,
  type FuzzAnswer,
  fuzzRequests,
  fuzzRoute,
  fuzzRuns,
  fuzzSeed,
} from '@sluice/contracts/testing';
import { type FakeOllama, startFakeOllama } from '@sluice/llm-provider/testing';
import { type ApiClient, PASSWORD, registerUser } from './support/api-client';
import { llmStage } from './support/llm-stage';
import { startTestApp, type TestApp } from './support/test-app';

// Every POST and PATCH route of the API, fed bodies of every kind (libs/contracts/src/testing): none
// may answer a 5xx, an error must come in the API's one shape, a stream must end with `done` or an
// `error` other than `internal`, and the process must still answer afterwards with nothing unhandled.
// In stage two only the chat route runs (the others do not touch the LLM, and ran in stage one).

const SEED = fuzzSeed(`api (${llmStage})`);
const RUNS = fuzzRuns(2_000);
const TIMEOUT_MS = 120_000;

const printableAscii = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
const modelId = fc.oneof(
  fc.constantFrom('llama3.2:latest', 'llama3.2', 'ollama/llama3.2:latest', 'ollama:llama3.2:latest'),
  fc.string({ unit: printableAscii, minLength: 1, maxLength: 40 }),
);
/** A valid address more often than `fc.emailAddress()` gives one that zod's check takes. */
const emailAddress = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{1,20}$/).map((name) => `fuzz-${name}@example.com`),
  fc.emailAddress(),
);
const password = fc.oneof(fc.string({ minLength: 8, maxLength: 128 }), fc.constant(PASSWORD));
const title = fc.string({ maxLength: 250 });

/** The last `event:`/`data:` pair of an SSE body (comments and ids left out). */
function lastEvent(text: string): { event: string; data: string } | undefined {
  return text
    .split('\n\n')
    .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: /^data: (.*)$/m.exec(block)?.[1] }))
    .filter((e): e is { event: string; data: string } => e.event !== undefined && e.data !== undefined)
    .at(-1);
}

/** An error in the API's one shape; a chat stream that ends as the contract says. */
function problemWith(answer: FuzzAnswer): string | undefined {
  if (answer.status >= 400) {
    if (!answer.contentType.startsWith('application/json')) return `an error as ${answer.contentType}`;
    const body = JSON.parse(answer.text) as Partial<ErrorResponse>;
    const known = (API_ERROR_CODES as readonly unknown[]).includes(body.error?.code);
    return known && typeof body.requestId === 'string' ? undefined : 'an error not in the API shape';
  }
  if (!answer.contentType.startsWith('text/event-stream')) return undefined;
  const last = lastEvent(answer.text);
  if (last?.event === 'done') return undefined;
  if (last?.event !== 'error') return 'a stream without its end';
  return (JSON.parse(last.data) as { code: string }).code === 'internal'
    ? 'a stream ending internal'
    : undefined;
}

const unhandled: string[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(String(reason));

describe(`fuzzing every POST and PATCH route of the API (e2e, ${llmStage})`, () => {
  let t: TestApp;
  let ollama: FakeOllama;
  let api: ApiClient;
  let email: string;
  let conversationId: string;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    ollama = await startFakeOllama();
    ollama.defaultScript = { tokens: ['ok'] };
    t = await startTestApp({ env: { OLLAMA_BASE_URL: ollama.url, AUTH_RATE_LIMIT: '1000000' } });
    const registered = await registerUser(t.url);
    api = registered.api;
    email = registered.auth.user.email;
    conversationId = (await api.post<Conversation>('/api/conversations', { title: 'fuzz' })).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await ollama?.close();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  async function fuzz(
    route: string,
    path: () => string | Promise<string>,
    fields: FieldShapes,
    required: string[] = [],
  ): Promise<void> {
    const statuses = await fuzzRoute({
      route,
      requests: fuzzRequests(fields, required),
      url: async () => `${t.url}${await path()}`,
      headers: { authorization: `Bearer ${api.token ?? ''}` },
      problemWith,
      seed: SEED,
      runs: RUNS,
    });
    process.stdout.write(`fuzz api ${route}: ${RUNS} bodies, statuses ${JSON.stringify(statuses)}\n`);
  }

  // The routes that do not reach the LLM: in stage one only.
  if (llmStage === 'inprocess') {
    it(
      'POST /api/auth/register',
      () =>
        fuzz('POST /api/auth/register', () => '/api/auth/register', { email: emailAddress, password }, [
          'email',
          'password',
        ]),
      TIMEOUT_MS,
    );

    it(
      'POST /api/auth/login',
      () =>
        fuzz(
          'POST /api/auth/login',
          () => '/api/auth/login',
          { email: fc.oneof(fc.constant(email), emailAddress), password },
          ['email', 'password'],
        ),
      TIMEOUT_MS,
    );

    it(
      'POST /api/conversations',
      () => fuzz('POST /api/conversations', () => '/api/conversations', { title, model: modelId }),
      TIMEOUT_MS,
    );

    it(
      'PATCH /api/conversations/:id',
      () =>
        fuzz('PATCH /api/conversations/:id', () => `/api/conversations/${conversationId}`, {
          title,
          model: fc.option(modelId, { nil: null }),
        }),
      TIMEOUT_MS,
    );
  }

  it(
    'POST /api/conversations/:id/messages',
    async () => {
      // A fresh conversation every 25 messages, so the history sent upstream stays short.
      let sent = 0;
      let current = conversationId;
      const path = async () => {
        if (++sent % 25 === 0) current = (await api.post<Conversation>('/api/conversations', {})).body.id;
        return `/api/conversations/${current}/messages`;
      };
      await fuzz(
        'POST /api/conversations/:id/messages',
        path,
        {
          content: fc.oneof(
            fc.string({ minLength: 1, maxLength: 200 }),
            fc.string({ unit: 'binary', maxLength: 100 }),
          ),
          model: modelId,
        },
        ['content'],
      );
    },
    TIMEOUT_MS,
  );

  it('still answers, with nothing unhandled', async () => {
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${t.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
    expect(unhandled).toEqual([]);
  });
});
