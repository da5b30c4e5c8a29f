export * from './errors';
export * from './public-message';
export * from './types';
