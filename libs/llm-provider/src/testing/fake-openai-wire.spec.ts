/**
 * The fake OpenAI held to the recorded exchanges (fixtures/openai): driven into each one's scenario,
 * it must send the same status, the headers that matter and the same frames, byte for byte once ids,
 * times, fingerprints and obfuscation padding are blanked. A fake that drifts from the real wire
 * fails here.
 */
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai';
import type { FakeScript } from './fake-script';
import { compareWithFixture } from './fixture-check';
import { wireFixtures } from './wire-fixture';

const KEY = 'sk-fixture-0123456789';

interface Scenario {
  script?: FakeScript;
  /** The key the request presents (the fake's own by default). */
  key?: string;
}

/** How each fixture's scenario is played; `undefined`: OpenAI itself never answers that way. */
const SCENARIOS: Record<string, Scenario | undefined> = {
  'openai/chat-text-usage': {
    script: {
      tokens: ['Hello', '!', ' How', ' can', ' I', ' help', '?'],
      usage: { promptTokens: 19, completionTokens: 7 },
    },
  },
  'openai/chat-tool-calls': {
    script: {
      tokens: [],
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Oslo' } },
        { name: 'get_weather', arguments: { city: 'Lima' } },
      ],
      usage: { promptTokens: 81, completionTokens: 46 },
    },
  },
  'openai/chat-error-mid-stream': { script: { tokens: ['The', ' answer', ' is'], errorAfterTokens: 2 } },
  'openai/chat-cut-mid-event': { script: { tokens: ['one', ' two', ' three'], cutAfterTokens: 2 } },
  'openai/chat-rate-limited': {
    script: {
      httpError: {
        status: 429,
        retryAfter: 20,
        message:
          'Rate limit reached for gpt-4o-mini in organization org-sluicefixture on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.',
      },
    },
  },
  'openai/chat-unauthorized': { key: 'sk-wrong' },
  'openai/chat-model-not-found': {},
  // A compatible proxy's behaviour, replayed to the adapter only.
  'openai/chat-error-json-under-200': undefined,
};

describe('the fake OpenAI sends what OpenAI sends', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: KEY, models: [{ id: 'gpt-4o-mini-2024-07-18' }] });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it.each(wireFixtures('openai').map((fixture) => [fixture.name, fixture] as const))(
    '%s',
    async (name, fixture) => {
      expect(SCENARIOS).toHaveProperty([name]);
      const scenario = SCENARIOS[name];
      if (!scenario) return;
      if (scenario.script) fake.script(scenario.script);
      const authorization = `Bearer ${scenario.key ?? KEY}`;
      const { fake: sent, recorded } = await compareWithFixture(fake.url, fixture, { authorization });
      expect(sent).toEqual(recorded);
    },
  );
});
