export * from './llm.module';
