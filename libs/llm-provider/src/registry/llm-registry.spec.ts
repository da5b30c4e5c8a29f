import { LlmError, type LlmProvider } from '../contract';
import { MockLlmProvider } from '../testing/mock-provider';
import { LlmRegistry } from './llm-registry';

describe('LlmRegistry', () => {
  const ollama = new MockLlmProvider({ id: 'ollama', models: ['llama3.2:latest', 'qwen3:8b'] });
  const vllm = new MockLlmProvider({
    id: 'vllm',
    kind: 'vllm',
    models: ['meta-llama/Llama-3.1-8B-Instruct'],
  });
  const registry = new LlmRegistry([ollama, vllm], { defaultProvider: 'ollama' });

  it('sends a bare model to the default provider, even with a tag or a slash in its name', async () => {
    await expect(registry.resolve('llama3.2:latest')).resolves.toMatchObject({
      provider: ollama,
      model: 'llama3.2:latest',
    });
    await expect(registry.resolve('meta-llama/Llama-3.1-8B-Instruct')).resolves.toMatchObject({
      provider: ollama,
    });
  });

  it('routes a provider prefix to that provider', async () => {
    await expect(registry.resolve('vllm/meta-llama/Llama-3.1-8B-Instruct')).resolves.toMatchObject({
      provider: vllm,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
    });
    await expect(registry.resolve('ollama:qwen3:8b')).resolves.toMatchObject({
      provider: ollama,
      model: 'qwen3:8b',
    });
  });

  it('picks the first listed model of the default provider when none is configured', async () => {
    await expect(registry.resolve()).resolves.toMatchObject({ provider: ollama, model: 'llama3.2:latest' });
  });

  it('streams through the resolved provider and reports the choice in the start event', async () => {
    const types: string[] = [];
    let started: unknown;
    for await (const event of registry.stream({
      model: 'vllm/x',
      messages: [{ role: 'user', content: 'hi' }],
    })) {
      types.push(event.type);
      if (event.type === 'start') started = event;
    }
    expect(started).toMatchObject({ provider: 'vllm', model: 'x' });
    expect(types.at(-1)).toBe('finish');
  });

  it('lists what it can and reports the providers it cannot reach', async () => {
    const down: LlmProvider = new MockLlmProvider({
      id: 'down',
      failWith: new LlmError('unavailable', 'cannot reach down at http://127.0.0.1:9'),
    });
    const mixed = new LlmRegistry([ollama, down], { defaultProvider: 'ollama' });
    const listing = await mixed.listModels();
    expect(listing.models.map((m) => m.id)).toEqual(['llama3.2:latest', 'qwen3:8b']);
    expect(listing.errors).toEqual([
      { provider: 'down', error: expect.objectContaining({ code: 'unavailable' }) },
    ]);
  });

  it('ends the stream with an error event when the default model cannot be found', async () => {
    const down = new MockLlmProvider({ id: 'ollama', failWith: new LlmError('unavailable', 'no') });
    const events = [];
    for await (const event of new LlmRegistry([down], { defaultProvider: 'ollama' }).stream({
      messages: [],
    })) {
      events.push(event);
    }
    expect(events).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'unavailable' }) }]);
  });

  it('refuses a default provider that is not configured', () => {
    expect(() => new LlmRegistry([ollama], { defaultProvider: 'openai' })).toThrow(/not configured/);
  });
});
