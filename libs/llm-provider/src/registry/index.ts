export * from './context-windows';
export * from './llm-config';
export * from './llm-registry';
export * from './create-registry';
