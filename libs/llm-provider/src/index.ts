export * from './contract';
export * from './codecs';
export * from './stream';
export * from './adapters';
export * from './resilience';
export * from './routing';
export * from './registry';
