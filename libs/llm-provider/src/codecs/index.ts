export * from './lines';
export * from './sse';
export * from './ndjson';
