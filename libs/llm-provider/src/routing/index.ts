export * from './routing-file';
