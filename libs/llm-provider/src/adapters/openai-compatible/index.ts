export * from './openai-compatible-provider';
export * from './openai-request';
