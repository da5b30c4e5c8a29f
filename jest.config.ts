import type { Config } from 'jest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const preset = require('./jest.preset.js') as Config;

// Every Jest project in one run (`npm run test:all` adds Vitest and prints the summary line).
const config: Config = {
  projects: [
    '<rootDir>/libs/*/jest.config.ts',
    '<rootDir>/apps/*/jest.config.ts',
    '<rootDir>/apps/api/jest.gateway.config.ts',
    '<rootDir>/tools/jest.config.ts',
    '<rootDir>/tools/deploy/jest.config.ts',
  ],
  testTimeout: preset.testTimeout,
};

export default config;
