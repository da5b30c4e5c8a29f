import type { Config } from 'jest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const preset = require('../../jest.preset.js') as Config;

// The deployment checks (docker/, docker-compose.yml, deploy/k8s, .github). `images.slow.spec.ts`
// builds and runs the three images without Docker: minutes, not seconds.
// testing/global-setup.ts provides PostgreSQL (DATABASE_URL, or an embedded one) for the apps these
// checks boot; the flag below keeps the specs from running under tools/jest.config.ts as well.
const config: Config = {
  ...preset,
  displayName: 'deploy',
  rootDir: __dirname,
  globalSetup: '<rootDir>/testing/global-setup.ts',
  globalTeardown: '<rootDir>/testing/global-teardown.ts',
  globals: { __SLUICE_DEPLOY__: true },
};

export default config;
