const preset = require('../../jest.preset.js');

// End-to-end tests boot the real app on a real socket against a real PostgreSQL: when DATABASE_URL is
// not set, globalSetup starts one embedded PostgreSQL for the whole run and every test file creates
// (and drops) its own database on it.
/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'api',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
