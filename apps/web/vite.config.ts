import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Where `nx serve web` sends /api and /health: the API started on its own (`nx serve api` or `node dist/apps/api/main.js`).
const apiTarget = process.env['SLUICE_API_URL'] ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here('.'),
  // Relative asset paths: the API serves the build at `/`, and hash routing means no path ever needs rewriting.
  base: './',
  plugins: [react()],
  resolve: {
    // The subpath first: an alias also matches the start of longer import paths.
    alias: [
      {
        find: '@sluice/contracts/password-strength',
        replacement: here('../../libs/contracts/src/password-strength.ts'),
      },
      { find: '@sluice/contracts', replacement: here('../../libs/contracts/src/index.ts') },
    ],
  },
  server: {
    host: '127.0.0.1',
    port: 4200,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/health': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: { host: '127.0.0.1', port: 4300 },
  build: {
    outDir: here('../../dist/apps/web'),
    emptyOutDir: true,
    // Maps for debugging a build, without pointing browsers at them.
    sourcemap: 'hidden',
  },
  test: {
    root: here('.'),
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-support/setup.ts'],
    restoreMocks: true,
  },
});
