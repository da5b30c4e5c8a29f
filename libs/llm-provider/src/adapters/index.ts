export * from './create-provider';
export * from './ollama';
export * from './openai-compatible';
export * from './sluice-gateway';
export * from './vllm';
export type { ProviderSettings } from './shared/provider-settings';
export { classifyHttpFailure, classifyNetworkFailure, parseRetryAfter } from './shared/classify';
