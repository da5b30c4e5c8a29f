const preset = require('../jest.preset.js');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'workspace-tools',
  // tools/deploy is its own project (slow: it builds the images' recipes).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/deploy/'],
};
