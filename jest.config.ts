import type { Config } from 'jest';

// One run over every project, so `npm test` prints one summary. `nx test <project>` runs one.
const config: Config = {
  projects: ['<rootDir>/libs/*/jest.config.ts', '<rootDir>/apps/*/jest.config.ts'],
  reporters: ['default', '<rootDir>/tools/jest/summary-reporter.js'],
};

export default config;
