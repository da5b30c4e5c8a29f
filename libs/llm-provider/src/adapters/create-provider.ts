import type { LlmProvider, ProviderKind } from '../contract';
import { OllamaProvider } from './ollama';
import { OpenAICompatibleProvider } from './openai-compatible';
import type { ProviderSettings } from './shared/provider-settings';
import { VllmProvider } from './vllm';

/** Builds the adapter for a configured provider. */
export function createProvider(settings: ProviderSettings & { kind: ProviderKind }): LlmProvider {
  switch (settings.kind) {
    case 'ollama':
      return new OllamaProvider(settings);
    case 'openai':
      return new OpenAICompatibleProvider(settings);
    case 'vllm':
      return new VllmProvider(settings);
  }
}
