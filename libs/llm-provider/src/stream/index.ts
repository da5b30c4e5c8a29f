export * from './abort';
export * from './deadlines';
export * from './guard-stream';
export * from './with-deadline';
