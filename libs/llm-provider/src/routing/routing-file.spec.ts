import { parseRoutingFile } from './routing-file';

describe('parseRoutingFile', () => {
  const providers = ['ollama', 'vllm'];

  it('reads aliases with ordered chains, defaults and per-upstream limits (YAML)', () => {
    const routing = parseRoutingFile(
      `
defaults:
  retries: 1
  timeouts: { firstTokenMs: 20000 }
providers:
  ollama: { maxConcurrent: 2, maxQueue: 8, queueTimeoutMs: 5000 }
models:
  chat:
    - target: vllm/meta-llama/Llama-3.1-8B-Instruct
      timeouts: { idleMs: 5000 }
    - ollama/llama3.2:latest
`,
      providers,
    );
    expect(routing.models.chat).toEqual([
      {
        provider: 'vllm',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        timeouts: { firstTokenMs: 20000, idleMs: 5000 },
        retries: 1,
      },
      { provider: 'ollama', model: 'llama3.2:latest', timeouts: { firstTokenMs: 20000 }, retries: 1 },
    ]);
    expect(routing.providers.ollama).toEqual({ maxConcurrent: 2, maxQueue: 8, queueTimeoutMs: 5000 });
  });

  it('reads JSON too', () => {
    const routing = parseRoutingFile('{"models":{"fast":["ollama:qwen3:8b"]}}', providers);
    expect(routing.models.fast).toEqual([{ provider: 'ollama', model: 'qwen3:8b' }]);
  });

  it('names the key of every problem', () => {
    const attempt = () =>
      parseRoutingFile(
        `
models:
  chat: [vlm/x, ollama/llama3.2]
  empty: []
providers:
  ollama: { maxConcurrent: 0 }
`,
        providers,
      );
    expect(attempt).toThrow(/models\.empty: an alias needs at least one target/);
    expect(attempt).toThrow(/providers\.ollama\.maxConcurrent/);
  });

  it('refuses a target on a provider that is not configured', () => {
    expect(() => parseRoutingFile('models:\n  chat: [vlm/x, ollama/llama3.2]\n', providers)).toThrow(
      /models\.chat\.0: 'vlm\/x' must start with a configured provider/,
    );
  });

  it('refuses unknown keys (a typo must not be ignored)', () => {
    expect(() =>
      parseRoutingFile('models:\n  chat:\n    - target: ollama/x\n      retry: 3\n', providers),
    ).toThrow(/Unrecognized key.*retry/);
  });

  it('refuses text that is not YAML', () => {
    expect(() => parseRoutingFile('models: [unclosed', providers)).toThrow(/not valid YAML or JSON/);
  });
});
