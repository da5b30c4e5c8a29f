import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LlmProvider } from '@sluice/llm-provider';
import { createApp } from '../../src/bootstrap';
import { loadApiConfig, type RuntimeConfig } from '../../src/config/api-config';
import { prepareLlmStage } from './llm-stage';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  app: NestFastifyApplication;
  config: RuntimeConfig;
  db: TestDatabase;
  /** Stage two only: the gateway the API calls. */
  gatewayUrl?: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Environment variables as the app would read them (only these: the test's own env is not read). */
  env?: Record<string, string | undefined>;
  llmProviders?: LlmProvider[];
  /** Reuse a database (a restart); default: a fresh one, dropped on close. */
  db?: TestDatabase;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

/**
 * Boots the real app (same factory as main.ts) on 127.0.0.1, an ephemeral port, and its own fresh
 * database (migrations run on boot). `SLUICE_TEST_LOG_LEVEL=info` shows the app's logs.
 *
 * One app at a time per test file: passport keeps strategies in a process-wide registry, so a second
 * app started alongside would take over the first one's JWT strategy (and its database).
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDb = options.db === undefined;
  const db = options.db ?? (await createTestDatabase());
  const stage = await prepareLlmStage(options.env ?? {}, options.llmProviders);
  try {
    const base = loadApiConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env['SLUICE_TEST_LOG_LEVEL'] ?? 'silent',
      JWT_SECRET: TEST_JWT_SECRET,
      AUTH_RATE_LIMIT: '1000',
      // Tests send many messages a minute; the ones about the per-user limits set their own.
      CHAT_USER_RPM: '0',
      API_USER_RPM: '0',
      ...stage.apiEnv,
    });
    const config: RuntimeConfig = {
      ...base,
      databaseUrl: db.url,
      jwtSecret: base.jwtSecret ?? TEST_JWT_SECRET,
    };
    const app = await createApp(config, {
      ...(stage.apiProviders === undefined ? {} : { llmProviders: stage.apiProviders }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('the app is not listening on TCP');
    let closed = false;
    return {
      url: `http://127.0.0.1:${address.port}`,
      app,
      config,
      db,
      ...(stage.gatewayUrl === undefined ? {} : { gatewayUrl: stage.gatewayUrl }),
      close: async () => {
        if (closed) return;
        closed = true;
        await app.close();
        await stage.stopGateway();
        if (ownDb) await db.drop();
      },
    };
  } catch (error) {
    await stage.stopGateway();
    if (ownDb) await db.drop();
    throw error;
  }
}
