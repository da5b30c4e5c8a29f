export * from './vllm-provider';
