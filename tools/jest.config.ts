import type { Config } from 'jest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const preset = require('../jest.preset.js') as Config;

const config: Config = {
  ...preset,
  displayName: 'workspace-tools',
  rootDir: __dirname,
  // tools/deploy is its own project (slow: it builds the images' recipes).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/deploy/'],
};

export default config;
