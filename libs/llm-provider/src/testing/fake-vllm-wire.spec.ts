/**
 * The fake vLLM held to the recorded exchanges (fixtures/vllm): driven into each one's scenario, it
 * must send the same status, the headers that matter and the same frames, byte for byte once ids and
 * times are blanked. A fake that drifts from the real wire fails here.
 */
import type { FakeScript } from './fake-script';
import { startFakeVllm, type FakeVllm } from './fake-vllm';
import { compareWithFixture } from './fixture-check';
import { wireFixtures } from './wire-fixture';

const KEY = 'sk-fixture-0123456789';

interface Scenario {
  script?: FakeScript;
  key?: string;
  /** The flat error form of vLLM before 0.10.1. */
  legacyErrors?: boolean;
}

const SCENARIOS: Record<string, Scenario> = {
  'vllm/chat-reasoning-usage': {
    script: {
      reasoning: ['Okay', ',', ' a', ' greeting', '.'],
      tokens: ['Hi', '!', ' What', ' can', ' I', ' do', '?'],
      usage: { promptTokens: 9, completionTokens: 7 },
    },
  },
  'vllm/chat-error-mid-stream': { script: { tokens: ['The', ' answer', ' is'], errorAfterTokens: 2 } },
  'vllm/chat-model-not-found': {},
  'vllm/chat-context-length': {
    script: {
      httpError: {
        status: 400,
        message:
          "This model's maximum context length is 8192 tokens. However, your request has 9000 input tokens. Please reduce the length of the input messages.",
      },
    },
  },
  'vllm/chat-legacy-error': {
    legacyErrors: true,
    script: { httpError: { status: 400, message: 'max_tokens must be at least 1, got 0.' } },
  },
  'vllm/chat-unauthorized': { key: 'sk-wrong' },
};

describe('the fake vLLM sends what vLLM sends', () => {
  let fake: FakeVllm;
  beforeAll(async () => {
    fake = await startFakeVllm({ apiKey: KEY, models: [{ id: 'Qwen/Qwen3-8B', contextLength: 8192 }] });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.legacyErrors = false;
  });

  it.each(wireFixtures('vllm').map((fixture) => [fixture.name, fixture] as const))(
    '%s',
    async (name, fixture) => {
      expect(SCENARIOS).toHaveProperty([name]);
      const scenario = SCENARIOS[name]!;
      fake.legacyErrors = scenario.legacyErrors === true;
      if (scenario.script) fake.script(scenario.script);
      const authorization = `Bearer ${scenario.key ?? KEY}`;
      const { fake: sent, recorded } = await compareWithFixture(fake.url, fixture, { authorization });
      expect(sent).toEqual(recorded);
    },
  );
});
