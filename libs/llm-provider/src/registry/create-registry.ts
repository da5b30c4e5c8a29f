import type { LlmProvider } from '../contract';
import { createProvider } from '../adapters';
import type { LlmConfig } from './llm-config';
import { LlmRegistry } from './llm-registry';

export function createLlmRegistry(config: LlmConfig, providers?: LlmProvider[]): LlmRegistry {
  return new LlmRegistry(providers ?? config.providers.map(createProvider), {
    defaultProvider: config.defaultProvider,
    ...(config.defaultModel === undefined ? {} : { defaultModel: config.defaultModel }),
    ...(config.routing ? { routing: config.routing } : {}),
    backoff: config.resilience.backoff,
    circuitBreaker: config.resilience.circuitBreaker,
    concurrency: config.resilience.concurrency,
  });
}
