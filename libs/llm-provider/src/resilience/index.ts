export * from './backoff';
export * from './circuit-breaker';
export * from './concurrency-limiter';
export * from './upstream-circuits';
