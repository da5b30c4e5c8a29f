/**
 * Recorded OpenAI exchanges (testing/fixtures/openai, docs/wire-formats.md#openai) replayed byte for
 * byte over a real socket: the contract events each one must give, streamed and not.
 */
import { fixtureReplay } from '../../testing/fixture-server';
import { loadWireFixture } from '../../testing/wire-fixture';
import { OpenAICompatibleProvider } from './openai-compatible-provider';

const MODEL = 'gpt-4o-mini-2024-07-18';
const call = { model: MODEL, messages: [{ role: 'user' as const, content: 'hi' }] };
const fixtures = fixtureReplay(
  (url) => new OpenAICompatibleProvider({ id: 'openai', baseUrl: `${url}/v1`, apiKey: 'sk-x' }),
  () => call,
);
const replay = (name: string) => fixtures.stream(name);

const start = { type: 'start', provider: 'openai', model: MODEL, warnings: [] };
const text = (...pieces: string[]) => pieces.map((piece) => ({ type: 'text-delta', text: piece }));
const finish = (reason: string, prompt: number, completion: number) => {
  const usage = { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
  return [
    { type: 'usage', usage },
    { type: 'finish', reason, rawReason: reason, usage },
  ];
};
const failure = (fields: Record<string, unknown>) => ({
  type: 'error',
  error: expect.objectContaining(fields),
});

describe('OpenAICompatibleProvider on recorded OpenAI exchanges', () => {
  it('text with include_usage: the deltas, then the usage chunk, finished at [DONE]', async () => {
    expect(await replay('openai/chat-text-usage')).toEqual([
      start,
      ...text('Hello', '!', ' How', ' can', ' I', ' help', '?'),
      ...finish('stop', 19, 7),
    ]);
  });

  it('tool-call deltas: fragments keyed by index make whole calls, in order', async () => {
    expect(await replay('openai/chat-tool-calls')).toEqual([
      start,
      {
        type: 'tool-call',
        call: { id: 'call_Wq1uPbJ6cXk0sN2dVf8rT4yE', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      },
      {
        type: 'tool-call',
        call: { id: 'call_Zb7mQa3LrY9eHc5oXn1gJt0K', name: 'get_weather', arguments: '{"city":"Lima"}' },
      },
      ...finish('tool_calls', 81, 46),
    ]);
  });

  it('an error event mid-stream ends it with that error, after the tokens before it', async () => {
    expect(await replay('openai/chat-error-mid-stream')).toEqual([
      start,
      ...text('The', ' answer'),
      failure({
        code: 'upstream',
        status: 500,
        message:
          'openai failed mid-stream: The server had an error while processing your request. Sorry about that!',
      }),
    ]);
  });

  it('a body cut mid-event is an error, after the events that were whole', async () => {
    expect(await replay('openai/chat-cut-mid-event')).toEqual([
      start,
      ...text('one', ' two'),
      failure({ code: 'upstream', message: expect.stringContaining('broke mid-stream') }),
    ]);
  });

  it('an error JSON under a 200 is that error, not an empty stream', async () => {
    expect(await replay('openai/chat-error-json-under-200')).toEqual([
      failure({ code: 'model_not_found', message: expect.stringContaining('does not exist') }),
    ]);
  });

  it.each([
    [
      'openai/chat-rate-limited',
      { code: 'rate_limited', status: 429, retryable: true, retryAfterMs: 20_000 },
    ],
    ['openai/chat-unauthorized', { code: 'auth', status: 401, retryable: false }],
    ['openai/chat-model-not-found', { code: 'model_not_found', status: 404, retryable: false }],
  ])('%s: an HTTP error, the same streamed or not', async (name, expected) => {
    const message = expect.stringContaining(
      (JSON.parse(loadWireFixture(name).response.body.join('')) as { error: { message: string } }).error
        .message,
    );
    expect(await replay(name)).toEqual([failure({ ...expected, message })]);
    fixtures.play(name);
    await expect(fixtures.provider().chat(call)).rejects.toMatchObject({ ...expected, message });
  });
});
