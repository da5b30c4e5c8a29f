import type { LlmProvider, ProviderKind } from '../contract';
import { OllamaProvider } from './ollama';
import { OpenAICompatibleProvider } from './openai-compatible';
import type { ProviderSettings } from './shared/provider-settings';
import { SluiceGatewayProvider } from './sluice-gateway';
import { VllmProvider } from './vllm';

export interface ProviderSpec extends ProviderSettings {
  /** `sluice-gateway` only for a Sluice gateway: its headers name the end user. */
  kind: ProviderKind;
}

/** Builds the adapter for a configured provider. */
export function createProvider(spec: ProviderSpec): LlmProvider {
  const { kind, ...settings } = spec;
  switch (kind) {
    case 'ollama':
      return new OllamaProvider(settings);
    case 'openai':
      return new OpenAICompatibleProvider(settings);
    case 'vllm':
      return new VllmProvider(settings);
    case 'sluice-gateway':
      return new SluiceGatewayProvider(settings);
  }
}
