import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LlmProvider } from '@sluice/llm-provider';
import { AppModule } from './app.module';
import { createAuthHook } from './auth/auth.hook';
import { requestIdFor } from './auth/caller-headers';
import { TokenVerifier } from './auth/token-verifier';
import type { GatewayConfig } from './config/gateway-config';
import { boundLogFields, errorForLog } from './logging/bounded-log';
import { PinoNestLogger } from './logging/nest-logger';
import { createLifecycleHook } from './logging/request-lifecycle';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { CallTracker } from './openai/call-tracker';
import { useJsonBodyParser } from './openai/wire/json-body-parser';

export interface CreateAppOptions {
  config: GatewayConfig;
  /** Ready-made providers instead of the ones the configuration describes (tests). */
  providers?: LlmProvider[];
  /** Where the JSON log lines go; default stdout. */
  logStream?: { write(line: string): void };
}

/**
 * Builds the gateway, initialised but not listening: `main.ts` listens on the configured address,
 * tests on 127.0.0.1 port 0.
 */
export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  const adapter = new FastifyAdapter({
    logger: {
      level: config.logLevel,
      // Nothing logs headers today; this keeps a future `req` serializer from writing a token.
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization'],
        censor: '[redacted]',
      },
      formatters: { log: boundLogFields },
      serializers: { err: errorForLog },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // Our own line per request (logging/request-lifecycle.ts) replaces Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdFor,
    bodyLimit: config.bodyLimitBytes,
    // After the preClose drain below, every connection is closed: an idle keep-alive socket, or one a
    // client opened and never used, would otherwise hold the shutdown until its timeout.
    forceCloseConnections: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, ...(options.providers ? { providers: options.providers } : {}) }),
    adapter,
    // Fastify's own JSON parser only: an OpenAI API takes JSON, so a form body is a 415, not a 400
    // from a form Nest's urlencoded parser would have read.
    { bufferLogs: true, abortOnError: false, bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  app.useLogger(new PinoNestLogger(fastify.log));
  useJsonBodyParser(fastify);

  const tracker = app.get(CallTracker);
  fastify.addHook('onRequest', createLifecycleHook(app.get(GatewayMetrics)));
  fastify.addHook('onRequest', createAuthHook(new TokenVerifier(config.tokens)));
  // Fastify answers new requests 503 from here on; calls in flight get the grace period.
  fastify.addHook('preClose', () => tracker.drain(config.shutdownGraceMs));
  if (config.tokens.length === 0) {
    fastify.log.warn('LLM_GATEWAY_ALLOW_NO_AUTH=true: /v1 accepts calls without a token (development only)');
  }

  await app.init();
  return app;
}
