import type { Config } from 'jest';

// Every Jest project in one run (`npm run test:all` adds Vitest and prints the summary line).
const config: Config = {
  projects: [
    '<rootDir>/libs/*/jest.config.ts',
    '<rootDir>/apps/*/jest.config.ts',
    '<rootDir>/apps/api/jest.gateway.config.ts',
    '<rootDir>/tools/jest.config.ts',
    '<rootDir>/tools/deploy/jest.config.ts',
  ],
};

export default config;
