/**
 * Recorded Ollama exchanges (testing/fixtures/ollama, docs/wire-formats.md#ollama) replayed byte for
 * byte over a real socket: the contract events each one must give.
 */
import { fixtureReplay } from '../../testing/fixture-server';
import { OllamaProvider } from './ollama-provider';

const fixtures = fixtureReplay(
  (url) => new OllamaProvider({ id: 'ollama', baseUrl: url }),
  (fixture) => ({
    model: (fixture.request.body as { model: string }).model,
    messages: [{ role: 'user', content: 'hi' }],
  }),
);
const replay = (name: string) => fixtures.stream(name);

const text = (...pieces: string[]) => pieces.map((piece) => ({ type: 'text-delta', text: piece }));
const start = (model: string) => ({ type: 'start', provider: 'ollama', model, warnings: [] });
const finish = (reason: string, rawReason: string, prompt: number, completion: number) => {
  const usage = { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
  return [
    { type: 'usage', usage },
    { type: 'finish', reason, rawReason, usage },
  ];
};
const failure = (fields: Record<string, unknown>) => ({
  type: 'error',
  error: expect.objectContaining(fields),
});

describe('OllamaProvider on recorded exchanges', () => {
  it('text: one delta per record, then usage and the finish from the final record', async () => {
    expect(await replay('ollama/chat-text')).toEqual([
      start('llama3.2:latest'),
      ...text('Hello', '!', ' How', ' can', ' I', ' help', '?'),
      ...finish('stop', 'stop', 27, 7),
    ]);
  });

  it('thinking: message.thinking as reasoning deltas before the text', async () => {
    const reasoning = ['Okay', ',', ' the', ' user', ' says', ' hi', '.'];
    expect(await replay('ollama/chat-thinking')).toEqual([
      start('qwen3:4b'),
      ...reasoning.map((piece) => ({ type: 'reasoning-delta', text: piece })),
      ...text('Hi', '!', ' What', ' can', ' I', ' do', '?'),
      ...finish('stop', 'stop', 11, 14),
    ]);
  });

  it('tool calls: each whole call with its id and its arguments as JSON text; the calls make the reason', async () => {
    expect(await replay('ollama/chat-tool-calls')).toEqual([
      start('qwen3:4b'),
      { type: 'tool-call', call: { id: 'call_3m9qz1xk', name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      { type: 'tool-call', call: { id: 'call_p0d7w2ve', name: 'get_weather', arguments: '{"city":"Lima"}' } },
      ...finish('tool_calls', 'stop', 160, 41),
    ]);
  });

  it('an error record mid-stream ends it with that error, after the tokens before it', async () => {
    expect(await replay('ollama/chat-error-mid-stream')).toEqual([
      start('llama3.2:latest'),
      ...text('The', ' answer'),
      failure({
        code: 'upstream',
        message: 'ollama failed mid-stream: an error was encountered while running the model: unexpected EOF',
      }),
    ]);
  });

  it('a body cut mid-line is an error, after the records that were whole', async () => {
    expect(await replay('ollama/chat-cut-mid-line')).toEqual([
      start('llama3.2:latest'),
      ...text('one', ' two'),
      failure({ code: 'upstream', message: expect.stringContaining('broke mid-stream') }),
    ]);
  });

  it.each([
    ['ollama/chat-model-not-found', 'model_not_found', 404, "model 'llama9:latest' not found"],
    ['ollama/chat-bad-request', 'bad_request', 400, '"llama3.2:latest" does not support thinking'],
  ])('%s: an HTTP error before any record, streamed or not', async (name, code, status, message) => {
    const expected = { code, status, retryable: false, message: `ollama answered ${status}: ${message}` };
    expect(await replay(name)).toEqual([failure(expected)]);
    fixtures.play(name);
    await expect(
      fixtures.provider().chat({ model: 'llama3.2:latest', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject(expected);
  });
});
