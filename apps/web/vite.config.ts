import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Where `nx serve web` sends /api and /health: the API started on its own (`nx serve api` or `node dist/apps/api/main.js`).
const apiTarget = process.env['SLUICE_API_URL'] ?? 'http://127.0.0.1:3000';

/**
 * `.br` and `.gz` beside every text file of the build, at the best levels: the API sends them as they
 * are (@fastify/static `preCompressed`), so it never compresses on the fly.
 */
function precompress(): Plugin {
  const compressible = /\.(html|js|css|svg|json|txt)$/;
  const brotli = promisify(brotliCompress);
  const gzipped = promisify(gzip);
  return {
    name: 'sluice:precompress',
    apply: 'build',
    async writeBundle({ dir }) {
      if (dir === undefined) return;
      const files = await readdir(dir, { recursive: true });
      await Promise.all(
        files
          .filter((file) => compressible.test(file))
          .map(async (file) => {
            const full = path.join(dir, file);
            const bytes = await readFile(full);
            await writeFile(
              `${full}.br`,
              await brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
            );
            await writeFile(`${full}.gz`, await gzipped(bytes, { level: 9 }));
          }),
      );
    },
  };
}

export default defineConfig({
  root: here('.'),
  // Relative asset paths: the API serves the build at `/`, and hash routing means no path ever needs rewriting.
  base: './',
  plugins: [react(), precompress()],
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
    // No source maps: nothing that serves the build (the API, the web image's nginx) should offer them.
    sourcemap: false,
  },
  test: {
    root: here('.'),
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-support/setup.ts'],
    restoreMocks: true,
  },
});
