import type { Config } from 'jest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const preset = require('../../jest.preset.js') as Config;

// The end-to-end tests boot the real gateway on 127.0.0.1 port 0 against the library's fake upstreams.
const config: Config = {
  ...preset,
  displayName: 'llm',
  rootDir: __dirname,
};

export default config;
