/**
 * The fake Ollama held to the recorded exchanges (fixtures/ollama): driven into each one's scenario,
 * it must send the same status, the headers that matter and the same frames, byte for byte once ids,
 * times and durations are blanked. A fake that drifts from the real wire fails here.
 */
import { DEFAULT_OLLAMA_MODELS, startFakeOllama, type FakeOllama } from './fake-ollama';
import type { FakeScript } from './fake-script';
import { compareWithFixture } from './fixture-check';
import { wireFixtures } from './wire-fixture';

/** How each fixture's scenario is scripted; `null`: the request alone leads there. */
const SCENARIOS: Record<string, FakeScript | null> = {
  'ollama/chat-text': {
    tokens: ['Hello', '!', ' How', ' can', ' I', ' help', '?'],
    usage: { promptTokens: 27, completionTokens: 7 },
  },
  'ollama/chat-thinking': {
    reasoning: ['Okay', ',', ' the', ' user', ' says', ' hi', '.'],
    tokens: ['Hi', '!', ' What', ' can', ' I', ' do', '?'],
    usage: { promptTokens: 11, completionTokens: 14 },
  },
  'ollama/chat-tool-calls': {
    tokens: [],
    toolCalls: [
      { name: 'get_weather', arguments: { city: 'Oslo' } },
      { name: 'get_weather', arguments: { city: 'Lima' } },
    ],
    usage: { promptTokens: 160, completionTokens: 41 },
  },
  'ollama/chat-error-mid-stream': {
    tokens: ['The', ' answer', ' is'],
    errorAfterTokens: 2,
    streamErrorMessage: 'an error was encountered while running the model: unexpected EOF',
  },
  'ollama/chat-model-not-found': null,
  'ollama/chat-bad-request': {
    httpError: { status: 400, message: '"llama3.2:latest" does not support thinking' },
  },
  'ollama/chat-cut-mid-line': { tokens: ['one', ' two', ' three'], cutAfterTokens: 2 },
};

describe('the fake Ollama sends what Ollama sends', () => {
  let fake: FakeOllama;
  beforeAll(async () => {
    fake = await startFakeOllama({ models: [...DEFAULT_OLLAMA_MODELS, { id: 'qwen3:4b' }] });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it.each(wireFixtures('ollama').map((fixture) => [fixture.name, fixture] as const))(
    '%s',
    async (name, fixture) => {
      expect(SCENARIOS).toHaveProperty([name]);
      const script = SCENARIOS[name];
      if (script) fake.script(script);
      const { fake: sent, recorded } = await compareWithFixture(fake.url, fixture);
      expect(sent).toEqual(recorded);
    },
  );
});
