export * from './ollama-provider';
