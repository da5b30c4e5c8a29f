import {
  DEFAULT_MAX_MESSAGE_CHARS,
  type Env,
  envConfig,
  fromEnv,
  JWT_SECRET_MIN_BITS,
  loadConfig,
  weakSecretProblem,
} from '@sluice/contracts';
import { llmEnvSchema } from '@sluice/llm-provider';
import { z } from 'zod';
import { trustProxySchema } from './trust-proxy';

const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .positive('must be > 0');

const nonNegativeInt = z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0);

/** `0` turns a limit off. */
const limitOrOff = (byDefault: number) =>
  nonNegativeInt.default(byDefault).transform((value) => (value === 0 ? undefined : value));

const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** `900`, `90s`, `15m`, `12h`, `7d`: a token lifetime, converted to seconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+\s*[smhd]?$/, 'must be a duration such as 900, 90s, 15m, 12h or 7d')
  .transform((value) => {
    const amount = Number.parseInt(value, 10);
    const unit = value.replace(/^\d+\s*/, '') || 's';
    return amount * { s: 1, m: 60, h: 3600, d: 86_400 }[unit as 's' | 'm' | 'h' | 'd'];
  })
  .refine((seconds) => seconds > 0, 'must be longer than 0 seconds');

const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The API's own environment variables (README.md#the-apis-own-configuration); the LLM ones are `llmEnvSchema`'s. */
export const apiEnvSchema = envConfig(
  {
    nodeEnv: fromEnv('NODE_ENV', z.enum(['development', 'production', 'test']).default('development')),
    port: fromEnv(
      'PORT',
      z.coerce.number({ error: 'must be a number' }).int().min(0).max(65_535).default(3000),
    ),
    host: fromEnv('HOST', z.string().trim().min(1).default('127.0.0.1')),
    /** Unset: the embedded PostgreSQL (its URL is filled in at boot). */
    databaseUrl: fromEnv(
      'DATABASE_URL',
      z
        .string()
        .trim()
        .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
        .optional(),
    ),
    /** Port of the embedded PostgreSQL started when DATABASE_URL is not set. */
    embeddedPostgresPort: fromEnv('EMBEDDED_POSTGRES_PORT', positiveInt.max(65_535).default(54_329)),
    /** Unset in development until `resolveJwtSecret()` reads or creates the one under DATA_DIR. */
    jwtSecret: fromEnv('JWT_SECRET', z.string().optional()),
    /** Access token lifetime: short, since the web app renews it through the refresh cookie. */
    jwtExpiresInSeconds: fromEnv('JWT_EXPIRES_IN', duration.default(900)),
    /** How long a sign-in lasts (auth/sessions). */
    sessions: {
      /** A session (its refresh token) ends after this long unused... */
      idleTimeoutSeconds: fromEnv('SESSION_IDLE_TIMEOUT', duration.default(14 * 86_400)),
      /** ...and this long after sign-in, however much it is used. */
      maxAgeSeconds: fromEnv('SESSION_MAX_AGE', duration.default(90 * 86_400)),
      /** The refresh cookie's `Secure` flag: browsers keep it on localhost too; off only for plain HTTP elsewhere. */
      cookieSecure: fromEnv('AUTH_COOKIE_SECURE', bool.default(true)),
    },
    dataDir: fromEnv('DATA_DIR', z.string().trim().min(1).default('./.data')),
    maxMessageChars: fromEnv('MAX_MESSAGE_CHARS', positiveInt.default(DEFAULT_MAX_MESSAGE_CHARS)),
    bodyLimitBytes: fromEnv('BODY_LIMIT_BYTES', positiveInt.default(1_048_576)),
    logLevel: fromEnv('LOG_LEVEL', z.enum(LOG_LEVELS).default('info')),
    /** An SSE comment goes out on the chat stream after this long without a write, ms. */
    sseKeepAliveMs: fromEnv('SSE_KEEPALIVE_MS', positiveInt.default(15_000)),
    /** Login and register attempts allowed per client IP in each window. */
    authRateLimit: fromEnv('AUTH_RATE_LIMIT', positiveInt.default(10)),
    authRateWindowMs: fromEnv('AUTH_RATE_WINDOW_MS', positiveInt.default(60_000)),
    /** Failed logins of one account before each further attempt waits (1 s, doubling, up to 15 min). */
    authAccountFailures: fromEnv('AUTH_ACCOUNT_FAILURES', positiveInt.default(5)),
    /** Chat messages (LLM requests) one user may send per minute; undefined: no limit. */
    chatUserRpm: fromEnv('CHAT_USER_RPM', limitOrOff(30)),
    /** LLM tokens (prompt + completion) one user may use per minute; unset: no limit. */
    chatUserTpm: fromEnv('CHAT_USER_TPM', positiveInt.optional()),
    /** Answers one user may have streaming at once (every tab and replica together: counted in the database); undefined: no limit (and no per-user lock). */
    chatUserMaxStreams: fromEnv('CHAT_USER_MAX_STREAMS', limitOrOff(4)),
    /** Requests one signed-in user may make per minute, all routes together; undefined: no limit. */
    apiUserRpm: fromEnv('API_USER_RPM', limitOrOff(600)),
    /** How much of a conversation goes to the model with each message (chat/history-budget.ts). */
    chatHistory: {
      /** The model's context window, in tokens, when its upstream reports none. */
      defaultContextTokens: fromEnv('CHAT_DEFAULT_CONTEXT_TOKENS', positiveInt.default(8192)),
      /** Tokens of the window kept free for the answer (at most half the window). */
      answerReserveTokens: fromEnv('CHAT_ANSWER_RESERVE_TOKENS', positiveInt.default(2048)),
      /** The most bytes the messages of one LLM request may take, JSON-encoded (the gateway's limit is 4 MiB). */
      maxRequestBytes: fromEnv('CHAT_MAX_REQUEST_BYTES', positiveInt.default(1_048_576)),
    },
    /** Redis for the per-user limits, shared by every API replica; unset: this process's memory. */
    redisUrl: fromEnv(
      'REDIS_URL',
      z
        .string()
        .trim()
        .refine(
          (value) => /^rediss?:\/\/\S+$/.test(value) && URL.canParse(value),
          'must be a redis:// or rediss:// URL',
        )
        .optional(),
    ),
    /** The reverse proxies whose X-Forwarded-For gives the client IP (rate limits): a count or addresses. */
    trustProxy: fromEnv('TRUST_PROXY', trustProxySchema),
    /** The OpenAPI document and UI at /api/docs; unset: on, except when NODE_ENV=production. */
    apiDocs: fromEnv('API_DOCS', bool.optional()),
    /** The built web app, served at `/` when the folder has an index.html (`npm start` builds it). */
    webDistDir: fromEnv('WEB_DIST_DIR', z.string().trim().min(1).default('dist/apps/web')),
  },
  (config, issue) => {
    const { chatHistory, sessions } = config;
    if (chatHistory.answerReserveTokens >= chatHistory.defaultContextTokens) {
      issue('CHAT_ANSWER_RESERVE_TOKENS', 'must be less than CHAT_DEFAULT_CONTEXT_TOKENS');
    }
    // The newest message always goes: the longest one the API accepts must fit (4 bytes a character).
    if (chatHistory.maxRequestBytes < 4 * config.maxMessageChars) {
      issue(
        'CHAT_MAX_REQUEST_BYTES',
        `must be at least 4 × MAX_MESSAGE_CHARS (${4 * config.maxMessageChars})`,
      );
    }
    if (sessions.idleTimeoutSeconds > sessions.maxAgeSeconds) {
      issue('SESSION_IDLE_TIMEOUT', 'must not exceed SESSION_MAX_AGE');
    }
    if (config.nodeEnv !== 'production') return;
    const secret = config.jwtSecret;
    if (secret === undefined) issue('JWT_SECRET', 'required when NODE_ENV=production');
    else if (secret.length < 32) issue('JWT_SECRET', 'must be at least 32 characters');
    else {
      const problem = weakSecretProblem(secret, JWT_SECRET_MIN_BITS);
      if (problem !== undefined) issue('JWT_SECRET', problem);
    }
  },
).transform(({ apiDocs, ...config }) => ({ ...config, apiDocs: apiDocs ?? config.nodeEnv !== 'production' }));

/** The command that replaced ADMIN_EMAILS, as the boot error and the docs name it. */
export const ADMIN_COMMAND = 'npm run admin -- grant EMAIL';

/**
 * Refused rather than ignored: an upgrade that silently stopped making those addresses admins would
 * be confusing, and one that kept doing it would let anyone register an admin address first.
 */
const retiredVariables = z.object({
  ADMIN_EMAILS: z
    .undefined({
      error:
        `no longer supported; remove it and make admins with \`${ADMIN_COMMAND}\` ` +
        '(in the API image: `node dist/apps/api/apps/api/src/admin-cli/main.js grant EMAIL`; docker/README.md "Admins")',
    })
    .optional(),
});

/** Reads and validates the whole configuration (API and LLM variables); throws `ConfigError`. */
export function loadApiConfig(env: Env = process.env) {
  return loadConfig(env, (read) => {
    const api = read(apiEnvSchema);
    read(retiredVariables);
    return { ...api, llm: read(llmEnvSchema) };
  });
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
export type SessionSettings = ApiConfig['sessions'];
export type ChatHistorySettings = ApiConfig['chatHistory'];

/** The configuration once boot has resolved the database (embedded or not) and the JWT secret. */
export type RuntimeConfig = ApiConfig & { databaseUrl: string; jwtSecret: string };
