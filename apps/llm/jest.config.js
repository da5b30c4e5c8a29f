const preset = require('../../jest.preset.js');

// The end-to-end tests boot the real gateway on 127.0.0.1 port 0 against the library's fake upstreams.
/** @type {import('jest').Config} */
module.exports = { ...preset, displayName: 'llm' };
