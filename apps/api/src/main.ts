import 'reflect-metadata';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@sluice/contracts';
import { createApp } from './bootstrap';
import { createLogger } from './common/logger';
import { type ApiConfig, loadApiConfig } from './config/api-config';
import { resolveJwtSecret } from './config/jwt-secret';
import {
  EMBEDDED_DATABASE,
  type EmbeddedPostgresHandle,
  startEmbeddedPostgres,
} from './database/embedded-postgres';

const SHUTDOWN_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  let config: ApiConfig;
  try {
    config = loadApiConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config);
  if (logger) Logger.overrideLogger(logger);
  const log = new Logger('Main');

  const jwtSecret = await resolveJwtSecret(config.jwtSecret, config.dataDir);
  if (config.jwtSecret === undefined) {
    log.log(`Using the development JWT secret kept in ${join(config.dataDir, 'jwt-secret')}`);
  }

  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres({
      dir: join(config.dataDir, 'postgres'),
      port: config.embeddedPostgresPort,
      database: EMBEDDED_DATABASE,
      logger: log,
    });
    databaseUrl = embedded.url;
  }

  let app: NestFastifyApplication;
  try {
    app = await createApp({ ...config, databaseUrl, jwtSecret }, { logger });
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const url = await app.getUrl();
  log.log(`Sluice API on ${url}${config.apiDocs ? ` (OpenAPI at ${url}/api/docs)` : ''}`);

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    setTimeout(() => {
      log.error('Shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    try {
      await app.close();
    } finally {
      await embedded?.stop();
    }
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, (s) => void shutdown(s));
}

main().catch((error: unknown) => {
  new Logger('Main').fatal(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
