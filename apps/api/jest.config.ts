import type { Config } from 'jest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const preset = require('../../jest.preset.js') as Config;

// End-to-end tests boot the real app on a real socket against a real PostgreSQL: when DATABASE_URL is
// not set, globalSetup starts one embedded PostgreSQL for the whole run and every test file creates
// (and drops) its own database on it.
const config: Config = {
  ...preset,
  displayName: 'api',
  rootDir: __dirname,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

export default config;
