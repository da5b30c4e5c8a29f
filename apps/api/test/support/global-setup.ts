import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/database/embedded-postgres';

declare global {
  var __SLUICE_EMBEDDED_PG__: { handle: EmbeddedPostgresHandle; dir: string } | undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * With DATABASE_URL set (CI), test files create their databases on that server. Without it, one
 * embedded PostgreSQL serves the whole run, in a temp dir; its URL reaches the workers through the
 * environment (they are started after this runs).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['DATABASE_URL']) {
    process.env['SLUICE_TEST_ADMIN_DATABASE_URL'] = process.env['DATABASE_URL'];
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'sluice-test-pg-'));
  // Run as root, PostgreSQL runs as the `postgres` user, which must be able to reach its data dir.
  await chmod(dir, 0o755);
  const handle = await startEmbeddedPostgres({ dir: join(dir, 'data'), port: await freePort() });
  globalThis.__SLUICE_EMBEDDED_PG__ = { handle, dir };
  process.env['SLUICE_TEST_ADMIN_DATABASE_URL'] = handle.url;
}
