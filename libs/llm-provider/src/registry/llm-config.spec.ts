import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@sluice/contracts';
import { loadLlmConfig } from './llm-config';

describe('loadLlmConfig', () => {
  it('defaults to the in-process mode with Ollama at its default address', () => {
    const config = loadLlmConfig({});
    expect(config).toMatchObject({ mode: 'inprocess', defaultProvider: 'ollama' });
    expect(config.providers).toEqual([
      expect.objectContaining({ id: 'ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' }),
    ]);
    expect(config.defaultModel).toBeUndefined();
  });

  it('builds every provider that has an address, the default one always', () => {
    const config = loadLlmConfig({
      LLM_PROVIDER: 'vllm',
      VLLM_BASE_URL: 'http://gpu-1:8000/v1/',
      OPENAI_BASE_URL: 'http://tgi:8080/v1',
      LLM_MODEL: 'meta-llama/Llama-3.1-8B-Instruct',
    });
    expect(config.defaultProvider).toBe('vllm');
    expect(config.defaultModel).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(config.providers.map((p) => [p.id, p.baseUrl])).toEqual([
      ['openai', 'http://tgi:8080/v1'],
      ['vllm', 'http://gpu-1:8000/v1'],
    ]);
  });

  it('reaches the gateway through the sluice-gateway adapter in gateway mode', () => {
    const config = loadLlmConfig({
      LLM_MODE: 'gateway',
      LLM_GATEWAY_URL: 'http://llm:3100',
      LLM_GATEWAY_TOKEN: 'a-very-long-internal-token',
    });
    expect(config.providers).toEqual([
      expect.objectContaining({
        id: 'gateway',
        kind: 'sluice-gateway',
        baseUrl: 'http://llm:3100/v1',
        apiKey: 'a-very-long-internal-token',
      }),
    ]);
  });

  it('names every bad variable in one error', () => {
    const attempt = () =>
      loadLlmConfig({ LLM_PROVIDER: 'openai', OLLAMA_BASE_URL: 'not a url', LLM_IDLE_TIMEOUT_MS: '-5' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('OLLAMA_BASE_URL');
      expect(message).toContain('OPENAI_API_KEY: required when LLM_PROVIDER=openai');
      expect(message).toContain('LLM_IDLE_TIMEOUT_MS');
    }
  });

  it('requires the gateway address and token in gateway mode', () => {
    expect(() => loadLlmConfig({ LLM_MODE: 'gateway' })).toThrow(/LLM_GATEWAY_URL.*\n.*LLM_GATEWAY_TOKEN/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadLlmConfig({ LLM_MODEL: '', OPENAI_API_KEY: '' }).providers).toHaveLength(1);
  });

  it('loads the routing file and checks its targets against the configured providers', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-routing-'));
    const file = path.join(dir, 'models.yaml');
    writeFileSync(file, 'models:\n  chat: [ollama/llama3.2, vllm/x]\n');
    expect(() => loadLlmConfig({ LLM_MODELS_FILE: file })).toThrow(
      /models\.chat\.1: 'vllm\/x' must start with a configured provider/,
    );
    const config = loadLlmConfig({ LLM_MODELS_FILE: file, VLLM_BASE_URL: 'http://127.0.0.1:8000/v1' });
    expect(config.routing?.models.chat?.map((t) => t.provider)).toEqual(['ollama', 'vllm']);
    expect(() => loadLlmConfig({ LLM_MODELS_FILE: path.join(dir, 'missing.yaml') })).toThrow(
      /LLM_MODELS_FILE: cannot read .*missing\.yaml: ENOENT/,
    );
  });

  it('reads the traffic-control settings', () => {
    const config = loadLlmConfig({ LLM_MAX_RETRIES: '0', LLM_MAX_CONCURRENCY: '4', LLM_MAX_QUEUE: '10' });
    expect(config.resilience.backoff.maxRetries).toBe(0);
    expect(config.resilience.concurrency).toMatchObject({ maxConcurrent: 4, maxQueue: 10 });
    expect(loadLlmConfig({}).resilience.concurrency.maxConcurrent).toBe(Infinity);
    expect(loadLlmConfig({}).resilience.backoff.maxRetries).toBe(2);
  });

  it('does not retry in gateway mode unless told to: the gateway retries, two layers would multiply calls', () => {
    const gateway = {
      LLM_MODE: 'gateway',
      LLM_GATEWAY_URL: 'http://llm:3100',
      LLM_GATEWAY_TOKEN: 'a-very-long-internal-token',
    };
    expect(loadLlmConfig(gateway).resilience.backoff.maxRetries).toBe(0);
    expect(loadLlmConfig({ ...gateway, LLM_MAX_RETRIES: '1' }).resilience.backoff.maxRetries).toBe(1);
  });

  it('waits longer for the gateway’s headers than for a model server’s: the gateway holds them up to 15 s', () => {
    const gateway = {
      LLM_MODE: 'gateway',
      LLM_GATEWAY_URL: 'http://llm:3100',
      LLM_GATEWAY_TOKEN: 'a-very-long-internal-token',
    };
    expect(loadLlmConfig(gateway).providers[0]!.timeouts.connectMs).toBe(20_000);
    expect(loadLlmConfig({}).providers[0]!.timeouts.connectMs).toBe(10_000);
    expect(
      loadLlmConfig({ ...gateway, LLM_CONNECT_TIMEOUT_MS: '5000' }).providers[0]!.timeouts.connectMs,
    ).toBe(5_000);
  });
});
