import fc from 'fast-check';
import {
  type FuzzAnswer,
  fuzzRequests,
  fuzzRoute,
  fuzzRuns,
  fuzzSeed,
  nastyJsonText,
  nastyString,
  RawJson,
} from '@sluice/contracts/testing';
import {
  startFakeOllama,
  startFakeOpenAI,
  startFakeVllm,
  type FakeOllama,
  type FakeOpenAI,
  type FakeVllm,
} from '@sluice/llm-provider/testing';
import { AUTH } from './support/http';
import { startGateway, type TestGateway } from './support/gateway';

// Every POST route of the gateway, fed bodies of every kind (libs/contracts/src/testing), against the
// three fake upstreams: none may answer a 5xx, an error must come in OpenAI's shape, a stream must end
// with `[DONE]` or an in-stream error that is not the gateway's own failure, and the process must still
// answer afterwards with nothing unhandled.

const SEED = fuzzSeed('gateway');
const RUNS = fuzzRuns(2_000);
const TIMEOUT_MS = 120_000;
const OPENAI_KEY = 'sk-upstream-0123456789abcdef';

const printableAscii = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }));
/** The fake OpenAI upstream serves any name, as a proxy upstream does: `openai/<anything>` is answered. */
const anyOpenAiModel = fc
  .oneof(fc.string({ unit: printableAscii, minLength: 1, maxLength: 40 }), nastyString)
  .map((id) => `openai/${id}`);
const chatModel = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'llama3.2:latest',
      'llama3.2',
      'ollama/llama3.2:latest',
      'openai/gpt-4o-mini',
      'vllm/meta-llama/Llama-3.1-8B-Instruct',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: printableAscii, minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: anyOpenAiModel },
);
const embeddingModel = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'nomic-embed-text:latest',
      'openai/text-embedding-3-small',
      'vllm/meta-llama/Llama-3.1-8B-Instruct',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: printableAscii, minLength: 1, maxLength: 40 }) },
);
const functionName = fc.oneof(
  fc.constantFrom('get_weather', 'search'),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
);
const jsonObject = fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
/** A JSON schema as tools and response formats carry one, now and then with a nasty value deep inside. */
const jsonSchema = fc.oneof(
  { weight: 4, arbitrary: jsonObject },
  { weight: 1, arbitrary: nastyJsonText.map((text) => ({ type: 'object', properties: new RawJson(text) })) },
);

const textPart = fc.record({ type: fc.constant('text'), text });
const imagePart = fc.record({
  type: fc.constant('image_url'),
  image_url: fc.record({
    url: fc.oneof(
      fc.constant('data:image/png;base64,iVBORw0KGgo='),
      fc.base64String({ maxLength: 40 }).map((data) => `data:image/jpeg;base64,${data}`),
      fc.webUrl(),
      text,
    ),
  }),
});
const toolCall = fc.record({
  id: fc.string({ minLength: 1, maxLength: 20 }),
  type: fc.constant('function'),
  function: fc.record({
    name: functionName,
    arguments: fc.oneof(
      text,
      jsonObject.map((o) => JSON.stringify(o)),
    ),
  }),
});
const message = fc.oneof(
  fc.record({
    role: fc.constantFrom('system', 'developer'),
    content: fc.oneof(text, fc.array(textPart, { maxLength: 2 })),
  }),
  fc.record({
    role: fc.constant('user'),
    content: fc.oneof(text, fc.array(fc.oneof(textPart, imagePart), { minLength: 1, maxLength: 3 })),
  }),
  fc.record(
    {
      role: fc.constant('assistant'),
      content: fc.option(text, { nil: null }),
      tool_calls: fc.array(toolCall, { maxLength: 2 }),
    },
    { requiredKeys: ['role'] },
  ),
  fc.record({
    role: fc.constant('tool'),
    content: text,
    tool_call_id: fc.string({ minLength: 1, maxLength: 20 }),
  }),
);
const tool = fc.record(
  {
    type: fc.constant('function'),
    function: fc.record(
      { name: functionName, description: text, parameters: jsonSchema, strict: fc.boolean() },
      { requiredKeys: ['name'] },
    ),
  },
  { requiredKeys: ['type', 'function'] },
);

/** The fields of a non-streamed call; a streamed one adds `stream: true` and its `stream_options`. */
const chatFields = {
  model: chatModel,
  messages: fc.array(message, { minLength: 1, maxLength: 4 }),
  stream: fc.constantFrom(false, null),
  temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  top_k: fc.integer({ min: -1, max: 1_000 }),
  max_tokens: fc.integer({ min: 1, max: 1_000_000 }),
  max_completion_tokens: fc.integer({ min: 1, max: 1_000_000 }),
  stop: fc.oneof(text, fc.array(text, { maxLength: 4 })),
  seed: fc.integer(),
  presence_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
  frequency_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
  n: fc.constantFrom(1, null),
  tools: fc.array(tool, { maxLength: 3 }),
  tool_choice: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('none', 'auto', 'required') },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('function'),
        function: fc.record({ name: fc.constantFrom('get_weather', 'search') }),
      }),
    },
  ),
  response_format: fc.oneof(
    fc.constant({ type: 'text' }),
    fc.constant({ type: 'json_object' }),
    fc.record({
      type: fc.constant('json_schema'),
      json_schema: fc.record(
        { name: functionName, schema: jsonSchema, strict: fc.boolean() },
        { requiredKeys: ['name'] },
      ),
    }),
  ),
  user: text,
  safety_identifier: text,
};

const streamedChatFields = {
  ...chatFields,
  stream: fc.constant(true),
  stream_options: fc.record({ include_usage: fc.boolean() }),
};

const embeddingFields = {
  model: embeddingModel,
  input: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 5 })),
  encoding_format: fc.constantFrom('float', 'base64'),
  dimensions: fc.integer({ min: 1, max: 4_096 }),
  user: text,
};

/** An error in OpenAI's shape; a stream that ends as OpenAI's streams end. */
function problemWith(answer: FuzzAnswer): string | undefined {
  if (answer.status >= 400) {
    if (!answer.contentType.startsWith('application/json')) return `an error as ${answer.contentType}`;
    const error = (JSON.parse(answer.text) as { error?: { message?: unknown; type?: unknown } }).error;
    return typeof error?.message === 'string' && typeof error.type === 'string'
      ? undefined
      : 'an error not in OpenAI shape';
  }
  if (!answer.contentType.startsWith('text/event-stream')) return undefined;
  const data = answer.text
    .split('\n\n')
    .map((block) => /^data: (.*)$/m.exec(block)?.[1])
    .filter((line): line is string => line !== undefined);
  const last = data.at(-1);
  if (last === '[DONE]') return undefined;
  const error = last === undefined ? undefined : (JSON.parse(last) as { error?: { type?: string } }).error;
  if (error === undefined) return 'a stream without its end';
  return error.type === 'server_error' ? 'a stream ending in a server error' : undefined;
}

const unhandled: string[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(String(reason));

describe('fuzzing every POST route of the gateway', () => {
  let ollama: FakeOllama;
  let openai: FakeOpenAI;
  let vllm: FakeVllm;
  let gateway: TestGateway;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    [ollama, openai, vllm] = await Promise.all([
      startFakeOllama(),
      startFakeOpenAI({ apiKey: OPENAI_KEY, servesAnyModel: true }),
      startFakeVllm(),
    ]);
    for (const fake of [ollama, openai, vllm]) fake.defaultScript = { tokens: ['ok'] };
    gateway = await startGateway({
      env: {
        LLM_PROVIDER: 'ollama',
        OLLAMA_BASE_URL: ollama.url,
        OPENAI_BASE_URL: `${openai.url}/v1`,
        OPENAI_API_KEY: OPENAI_KEY,
        VLLM_BASE_URL: `${vllm.url}/v1`,
        LLM_MAX_RETRIES: '0',
        // A fuzz failure must be the gateway's answer, not a circuit the fuzz opened.
        LLM_BREAKER_FAILURES: '0',
        LOG_LEVEL: 'warn',
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([ollama?.close(), openai?.close(), vllm?.close()]);
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  // The fakes record every request: forget them as the run goes, or they pile up.
  const forgetRequests = () => {
    for (const fake of [ollama, openai, vllm]) fake.reset();
  };

  it.each([
    [
      'POST /v1/chat/completions',
      '/v1/chat/completions',
      fc.oneof(
        fuzzRequests(chatFields, ['model', 'messages']),
        fuzzRequests(streamedChatFields, ['model', 'messages', 'stream']),
      ),
    ],
    ['POST /v1/embeddings', '/v1/embeddings', fuzzRequests(embeddingFields, ['model', 'input'])],
  ] as const)(
    '%s',
    async (route, path, requests) => {
      let sent = 0;
      const statuses = await fuzzRoute({
        route,
        requests,
        url: () => {
          if (++sent % 200 === 0) forgetRequests();
          return `${gateway.url}${path}`;
        },
        headers: AUTH,
        problemWith,
        seed: SEED,
        runs: RUNS,
      });
      process.stdout.write(`fuzz gateway ${route}: ${RUNS} bodies, statuses ${JSON.stringify(statuses)}\n`);
    },
    TIMEOUT_MS,
  );

  it('still answers, with nothing unhandled', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
    expect(unhandled).toEqual([]);
  });
});
