// Shared Jest settings for every project: ts-jest in transpile-only mode (the typecheck target
// checks types once, instead of every test run doing it again), path aliases from tsconfig.base.json.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/.]/g, '\\$&')}$`,
    path.join(__dirname, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
    // content-disposition 3 (required by @fastify/static, which serves the API's docs UI and the web
    // app) ships only as an ES module: Node 20 can require() it, Jest's module loader cannot.
    '/node_modules/content-disposition/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  clearMocks: true,
  // Jest reads the timeout only from the config it was started with, never from a project's: the
  // root config (every project in one run) takes this same value, so one test has one budget however
  // it is run. Generous because end-to-end tests boot real servers on a loaded CI machine.
  testTimeout: 60_000,
};
