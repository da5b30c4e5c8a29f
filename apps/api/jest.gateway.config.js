const base = require('./jest.config.js');

// The same end-to-end suite in stage two: every test's API calls the LLM through a real gateway
// (test/support/llm-stage.ts). The browser-facing behaviour must not change.
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  displayName: 'api (stage two: through the gateway)',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  // gateway-outage builds its own stage two (and stops the gateway under the API).
  testPathIgnorePatterns: ['/node_modules/', 'gateway-outage'],
  setupFiles: ['<rootDir>/test/support/stage-two.setup.ts'],
};
