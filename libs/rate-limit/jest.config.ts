import type { Config } from 'jest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const preset = require('../../jest.preset.js') as Config;

const config: Config = {
  ...preset,
  displayName: 'rate-limit',
  rootDir: __dirname,
};

export default config;
