import { LlmError, type LlmRegistry, type ModelListing } from '@sluice/llm-provider';
import { KNOWN_MODELS_REFRESH_MS, KnownModels, MAX_KNOWN_MODELS } from './known-models';

function fakeRegistry(aliases: string[], answer: () => Promise<ModelListing>) {
  const listModels = jest.fn(answer);
  return { registry: { aliases, listModels } as unknown as LlmRegistry, listModels };
}

const listing = (...models: [provider: string, id: string][]): ModelListing => ({
  models: models.map(([provider, id]) => ({ provider, id })),
  errors: [],
});

describe('KnownModels', () => {
  let now = 1_000_000;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('knows the aliases, and every name a listed model answers to, once listed at boot', async () => {
    const { registry } = fakeRegistry(['chat'], async () =>
      listing(['ollama', 'llama3.2:latest'], ['vllm', 'meta-llama/Llama-3.1-8B-Instruct']),
    );
    const known = new KnownModels(registry);
    expect(known.has('chat')).toBe(true);
    await known.onApplicationBootstrap();
    for (const name of [
      'chat',
      'llama3.2:latest',
      'llama3.2',
      'ollama/llama3.2:latest',
      'ollama:llama3.2:latest',
      'vllm/meta-llama/Llama-3.1-8B-Instruct',
      'meta-llama/Llama-3.1-8B-Instruct',
    ]) {
      expect([name, known.has(name)]).toEqual([name, true]);
    }
    for (const name of ['llama3.3', 'random-0.123', 'ollama/unknown', '']) {
      expect([name, known.has(name)]).toEqual([name, false]);
    }
  });

  it('never makes a lookup wait, and boot waits at most a second for a hung upstream', async () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    try {
      const { registry } = fakeRegistry([], () => new Promise<ModelListing>(() => undefined));
      const known = new KnownModels(registry);
      const boot = known.onApplicationBootstrap();
      expect(known.has('llama3.2:latest')).toBe(false);
      jest.advanceTimersByTime(1_000);
      await boot;
    } finally {
      jest.useRealTimers();
    }
  });

  it('lists again at most once a minute, in the background, when a lookup finds the list stale', async () => {
    let models = listing(['ollama', 'a:latest']);
    const { registry, listModels } = fakeRegistry([], async () => models);
    const known = new KnownModels(registry);
    await known.onApplicationBootstrap();
    models = listing(['ollama', 'b:latest']);
    for (let i = 0; i < 1_000; i++) known.has(`random-${i}`);
    expect(listModels).toHaveBeenCalledTimes(1);
    expect(known.has('b:latest')).toBe(false);

    now += KNOWN_MODELS_REFRESH_MS;
    expect(known.has('b:latest')).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(listModels).toHaveBeenCalledTimes(2);
    expect(known.has('b:latest')).toBe(true);
    expect(known.has('a:latest')).toBe(false);
  });

  it('keeps what it knew when an upstream cannot be listed, and bounds how much it knows', async () => {
    let answer: () => Promise<ModelListing> = async () => listing(['ollama', 'a:latest']);
    const { registry } = fakeRegistry([], () => answer());
    const known = new KnownModels(registry);
    await known.onApplicationBootstrap();

    answer = async () => ({
      models: Array.from({ length: 5_000 }, (_, i) => ({ provider: 'openai', id: `m${i}` })),
      errors: [{ provider: 'ollama', error: new LlmError('unavailable', 'down') }],
    });
    now += KNOWN_MODELS_REFRESH_MS;
    known.has('x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(known.has('a:latest')).toBe(true);
    expect(known.has('m0')).toBe(true);
    const knownCount = Array.from({ length: 5_000 }, (_, i) => known.has(`m${i}`)).filter(Boolean).length;
    expect(knownCount).toBeLessThan(MAX_KNOWN_MODELS);

    answer = () => Promise.reject(new Error('the registry failed'));
    now += KNOWN_MODELS_REFRESH_MS;
    known.has('x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(known.has('a:latest')).toBe(true);
  });
});
