import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { Logger, type LoggerService } from '@nestjs/common';
import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { boundForLog } from '@sluice/contracts';
import { type AppModuleOptions, AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { useJsonBodyParser } from './common/json-body-parser';
import { createLogger } from './common/logger';
import { REQUEST_ID_HEADER, requestIdFor } from './common/request-id';
import type { RuntimeConfig } from './config/api-config';
import { fastifyTrustProxy } from './config/trust-proxy';
import { useSecurityHeaders } from './security/security-headers';

/**
 * One product, one address: the built web app at `/` (hash routing, so every screen reloads from
 * `/`). Only the files the build produced are routes (no wildcard), so an unknown `/api/...` path
 * still gets the API's JSON 404. The build writes `.br` and `.gz` beside each file, sent to browsers
 * that accept them (nothing is compressed on the fly, so no API answer or stream is held back).
 * Vite's `assets/` names carry a content hash: cached for good; anything else is revalidated.
 */
async function serveWebApp(app: NestFastifyApplication, config: RuntimeConfig): Promise<void> {
  const root = path.resolve(config.webDistDir);
  if (!existsSync(path.join(root, 'index.html'))) {
    new Logger('Web').log(`No web app at ${root}: serving the API only (npm start builds it)`);
    return;
  }
  const assets = path.join(root, 'assets') + path.sep;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, file) => {
      void reply.header(
        'cache-control',
        file.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}

export interface CreateAppOptions extends AppModuleOptions {
  logger?: LoggerService | false;
}

/**
 * Builds the API (not listening yet): Fastify with the body limit and request ids, every module,
 * the error filters, `/api` prefix (health stays at `/health`), and the OpenAPI document at `/api/docs`
 * (when `config.apiDocs`).
 * `config.databaseUrl` and `config.jwtSecret` must be resolved (main.ts does it).
 */
export async function createApp(
  config: RuntimeConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId: requestIdFor,
    logger: false,
  });
  const logger = options.logger ?? createLogger(config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    logger,
    abortOnError: false,
    // The JSON parser is ours (common/json-body-parser.ts); the API takes no form bodies.
    bodyParser: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  await useSecurityHeaders(fastify);
  useJsonBodyParser(fastify);
  // Reads the refresh cookie (auth/sessions/refresh-cookie.ts); nothing else of the API uses cookies.
  await app.register(fastifyCookie);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // One line per answered request (streams log their own line when they end). No bodies, no headers;
  // the URL is the caller's, so it is cut.
  const http = new Logger('Http');
  fastify.addHook('onResponse', (request, reply, done) => {
    http.log(
      `${request.method} ${boundForLog(request.url)} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms request=${String(request.id)}`,
    );
    done();
  });

  app.setGlobalPrefix('api', { exclude: ['health/live', 'health/ready'] });
  // The last one registered is tried first: ApiException, then everything else.
  app.useGlobalFilters(new AllExceptionsFilter(), new ApiExceptionFilter());

  // Off in production unless API_DOCS=true: the map of every route is for developers, not visitors.
  if (config.apiDocs) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Sluice API')
        .setDescription('Auth, conversations and the streamed chat of Sluice (stage one).')
        .setVersion('0.1.0')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  }
  await serveWebApp(app, config);

  await app.init();
  return app;
}
