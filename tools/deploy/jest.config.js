const preset = require('../../jest.preset.js');

// The deployment checks (docker/, docker-compose.yml, deploy/k8s, .github). `images.slow.spec.ts`
// builds and runs the three images without Docker: minutes, not seconds.
// testing/global-setup.ts provides PostgreSQL (DATABASE_URL, or an embedded one) for the apps these
// checks boot.
/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'deploy',
  globalSetup: '<rootDir>/testing/global-setup.ts',
  globalTeardown: '<rootDir>/testing/global-teardown.ts',
};
