// Every Jest project in one run (`npm run test:all` adds Vitest and prints the summary line).
// The configs are CommonJS JavaScript so that every supported Node loads them as they are: Node 24
// reads a `.ts` config as an ES module, older Node needs a TypeScript loader for it.
const preset = require('./jest.preset.js');

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/apps/*/jest.config.js',
    '<rootDir>/apps/api/jest.gateway.config.js',
    '<rootDir>/tools/jest.config.js',
    '<rootDir>/tools/deploy/jest.config.js',
  ],
  testTimeout: preset.testTimeout,
};
