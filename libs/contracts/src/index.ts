export * from './errors';
export * from './auth';
export * from './conversations';
export * from './chat';
export * from './models';
export * from './usage';
export * from './health';
export * from './json-depth';
