/**
 * Recorded vLLM exchanges (testing/fixtures/vllm, docs/wire-formats.md#vllm) replayed byte for byte
 * over a real socket: the contract events each one must give, and vLLM's error shapes, streamed or not.
 */
import { fixtureReplay } from '../../testing/fixture-server';
import { VllmProvider } from './vllm-provider';

const MODEL = 'Qwen/Qwen3-8B';
const call = { model: MODEL, messages: [{ role: 'user' as const, content: 'hi' }] };
const fixtures = fixtureReplay(
  (url) => new VllmProvider({ id: 'vllm', baseUrl: `${url}/v1`, apiKey: 'k' }),
  () => call,
);
const replay = (name: string) => fixtures.stream(name);

const failure = (fields: Record<string, unknown>) => ({
  type: 'error',
  error: expect.objectContaining(fields),
});

describe('VllmProvider on recorded vLLM exchanges', () => {
  it('reasoning, then text, then the usage chunk', async () => {
    const usage = { promptTokens: 9, completionTokens: 7, totalTokens: 16 };
    expect(await replay('vllm/chat-reasoning-usage')).toEqual([
      { type: 'start', provider: 'vllm', model: MODEL, warnings: [] },
      ...['Okay', ',', ' a', ' greeting', '.'].map((piece) => ({ type: 'reasoning-delta', text: piece })),
      ...['Hi', '!', ' What', ' can', ' I', ' do', '?'].map((piece) => ({ type: 'text-delta', text: piece })),
      { type: 'usage', usage },
      { type: 'finish', reason: 'stop', rawReason: 'stop', usage },
    ]);
  });

  it("an error event mid-stream (Python's JSON, then [DONE]) ends it with that error and its status", async () => {
    const events = await replay('vllm/chat-error-mid-stream');
    expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(2);
    expect(events.at(-1)).toEqual(
      failure({ code: 'upstream', status: 500, message: 'vllm failed mid-stream: Internal server error' }),
    );
  });

  it.each([
    ['vllm/chat-model-not-found', 'model_not_found', 404, 'The model `no-such-model` does not exist.'],
    [
      'vllm/chat-context-length',
      'context_length',
      400,
      "This model's maximum context length is 8192 tokens.",
    ],
    ['vllm/chat-legacy-error', 'bad_request', 400, 'max_tokens must be at least 1, got 0.'],
    ['vllm/chat-unauthorized', 'auth', 401, 'Unauthorized'],
  ])('%s: %s, the same streamed or not', async (name, code, status, message) => {
    const expected = { code, status, retryable: false, message: expect.stringContaining(message) };
    expect(await replay(name)).toEqual([failure(expected)]);
    fixtures.play(name);
    await expect(fixtures.provider().chat(call)).rejects.toMatchObject(expected);
  });
});
