import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
// The API's own test support: PostgreSQL for the run (embedded unless DATABASE_URL is set).
// eslint-disable-next-line @nx/enforce-module-boundaries -- the browser tests boot the real API
import startPostgres from '../../../api/test/support/global-setup';

declare global {
  var __SLUICE_WEB_E2E__: { distDir: string; postgres: typeof globalThis.__SLUICE_EMBEDDED_PG__ } | undefined;
}

const root = resolve(__dirname, '../../../..');

/**
 * Builds the app as it ships (vite build, into a temp dir: the tests always see the current source,
 * and dist/ is left alone) and makes sure a PostgreSQL is there for the API.
 */
export default async function globalSetup(): Promise<void> {
  const distDir = await mkdtemp(join(tmpdir(), 'sluice-web-e2e-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'apps/web/vite.config.ts',
      '--outDir',
      distDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: root, env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
  );
  process.env['SLUICE_WEB_E2E_DIST'] = distDir;

  // In a run of every project, the API's setup may have started one already: share it.
  let postgres: typeof globalThis.__SLUICE_EMBEDDED_PG__;
  if (process.env['SLUICE_TEST_ADMIN_DATABASE_URL'] === undefined) {
    await startPostgres();
    // Keep our handle apart: the API's teardown must only stop the one its setup started.
    postgres = globalThis.__SLUICE_EMBEDDED_PG__;
    globalThis.__SLUICE_EMBEDDED_PG__ = undefined;
  }
  globalThis.__SLUICE_WEB_E2E__ = { distDir, postgres };
}
