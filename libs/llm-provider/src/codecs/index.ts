export * from './lines';
export * from './sse';
export * from './ndjson';
export * from './sse-response';
