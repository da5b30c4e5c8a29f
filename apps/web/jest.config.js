const preset = require('../../jest.preset.js');

// Browser tests: a real Chromium (/usr/bin/chromium through playwright-core) drives the built app,
// served on one origin with the real API (booted in-process), a real PostgreSQL and a fake Ollama.
// globalSetup builds the app and starts PostgreSQL (the API's setup) when DATABASE_URL is not set.
// The app's component tests are Vitest's (`*.test.tsx`): this config only picks `e2e/*.e2e-spec.ts`.
/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'web',
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/e2e/support/global-setup.ts',
  globalTeardown: '<rootDir>/e2e/support/global-teardown.ts',
};
