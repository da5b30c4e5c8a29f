import type { LlmProvider, ProviderKind } from '../contract';
import { OllamaProvider } from './ollama';
import { OpenAICompatibleProvider } from './openai-compatible';
import type { ProviderSettings } from './shared/provider-settings';
import { SluiceGatewayProvider } from './sluice-gateway';
import { VllmProvider } from './vllm';

export interface ProviderSpec extends ProviderSettings {
  kind: ProviderKind;
  /**
   * The upstream is a Sluice gateway: the older spelling of `kind: 'sluice-gateway'`, whatever `kind`
   * says. Never set for a third-party server (the gateway's headers name the end user).
   */
  sluiceGateway?: boolean;
}

/** Builds the adapter for a configured provider. */
export function createProvider(spec: ProviderSpec): LlmProvider {
  const { kind, sluiceGateway, ...settings } = spec;
  if (sluiceGateway === true) return new SluiceGatewayProvider(settings);
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
