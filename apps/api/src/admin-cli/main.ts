import 'reflect-metadata';
import { join } from 'node:path';
import { ConfigError } from '@sluice/contracts';
import { DataSource } from 'typeorm';
import { loadApiConfig } from '../config/api-config';
import { dataSourceOptions } from '../database/data-source-options';
import {
  EMBEDDED_DATABASE,
  embeddedUrl,
  type EmbeddedPostgresHandle,
  startEmbeddedPostgres,
} from '../database/embedded-postgres';
import { runMigrationsLocked } from '../database/run-migrations';
import { parseAdminArgs, runAdminCommand } from './admin-command';

/**
 * `npm run admin -- grant|revoke EMAIL`, `npm run admin -- list`; in the API image:
 * `node dist/apps/api/apps/api/src/admin-cli/main.js grant EMAIL`. The same configuration and
 * database as the API (DATABASE_URL, or the embedded PostgreSQL under DATA_DIR: the running one of
 * `npm start`, or started for the command), migrated as the API would at boot.
 */
async function main(): Promise<number> {
  const command = parseAdminArgs(process.argv.slice(2));
  if (typeof command === 'string') {
    process.stderr.write(`${command}\n`);
    return 2;
  }
  const config = loadApiConfig(process.env);

  let embedded: EmbeddedPostgresHandle | undefined;
  let url = config.databaseUrl;
  if (url === undefined) {
    url = embeddedUrl(config.embeddedPostgresPort, EMBEDDED_DATABASE);
    if (!(await answers(url))) {
      embedded = await startEmbeddedPostgres({
        dir: join(config.dataDir, 'postgres'),
        port: config.embeddedPostgresPort,
        database: EMBEDDED_DATABASE,
      });
      url = embedded.url;
    }
  }
  const dataSource = new DataSource(dataSourceOptions(url));
  try {
    await dataSource.initialize();
    await runMigrationsLocked(dataSource);
    const result = await runAdminCommand(dataSource, command);
    (result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.message}\n`);
    return result.exitCode;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

/** Whether a PostgreSQL (the API's embedded one, while `npm start` runs) accepts connections at `url`. */
async function answers(url: string): Promise<boolean> {
  const probe = new DataSource({
    ...dataSourceOptions(url),
    extra: { max: 1, connectionTimeoutMillis: 2_000 },
  });
  try {
    await probe.initialize();
    return true;
  } catch {
    return false;
  } finally {
    if (probe.isInitialized) await probe.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
