import { DEFAULT_MAX_MESSAGE_CHARS, JWT_SECRET_MIN_BITS, weakSecretProblem } from '@sluice/contracts';
import { formatZodIssues, type LlmConfig, LlmConfigError, loadLlmConfig } from '@sluice/llm-provider';
import { z } from 'zod';
import { type TrustProxy, trustProxySchema } from './trust-proxy';

const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .positive('must be > 0');

const nonNegativeInt = z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0);

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

/** The API's own environment variables (DESIGN.md "Configuration"); the LLM ones are `loadLlmConfig()`'s. */
export const apiEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number({ error: 'must be a number' }).int().min(0).max(65_535).default(3000),
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
      .optional(),
    /** Port of the embedded PostgreSQL started when DATABASE_URL is not set. */
    EMBEDDED_POSTGRES_PORT: positiveInt.max(65_535).default(54_329),
    JWT_SECRET: z.string().optional(),
    /** Access token lifetime: short, since the web app renews it through the refresh cookie. */
    JWT_EXPIRES_IN: duration.default(900),
    /** A session (its refresh token) ends after this long unused. */
    SESSION_IDLE_TIMEOUT: duration.default(14 * 86_400),
    /** ...and this long after sign-in, however much it is used. */
    SESSION_MAX_AGE: duration.default(90 * 86_400),
    /** The refresh cookie's `Secure` flag: browsers keep it on localhost too; off only for plain HTTP elsewhere. */
    AUTH_COOKIE_SECURE: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((value) => value === 'true' || value === '1'),
    DATA_DIR: z.string().trim().min(1).default('./.data'),
    MAX_MESSAGE_CHARS: positiveInt.default(DEFAULT_MAX_MESSAGE_CHARS),
    BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    /** Comment line interval on the chat stream, ms. */
    SSE_KEEPALIVE_MS: positiveInt.default(15_000),
    /** Login and register attempts allowed per client IP in each window. */
    AUTH_RATE_LIMIT: positiveInt.default(10),
    AUTH_RATE_WINDOW_MS: positiveInt.default(60_000),
    /** Failed logins of one account before each further attempt waits (1 s, doubling, up to 15 min). */
    AUTH_ACCOUNT_FAILURES: positiveInt.default(5),
    /** Chat messages (LLM requests) one user may send per minute; `0`: no limit. */
    CHAT_USER_RPM: nonNegativeInt.default(30).transform((value) => (value === 0 ? undefined : value)),
    /** Answers one user may have streaming at once (every tab and replica together: counted in the database); `0`: no limit. */
    CHAT_USER_MAX_STREAMS: nonNegativeInt.default(4).transform((value) => (value === 0 ? undefined : value)),
    /** Requests one signed-in user may make per minute, all routes together; `0`: no limit. */
    API_USER_RPM: nonNegativeInt.default(600).transform((value) => (value === 0 ? undefined : value)),
    /** LLM tokens (prompt + completion) one user may use per minute; unset: no limit. */
    CHAT_USER_TPM: positiveInt.optional(),
    /** The model's context window, in tokens, when its upstream reports none. */
    CHAT_DEFAULT_CONTEXT_TOKENS: positiveInt.default(8192),
    /** Tokens of the window kept free for the answer (at most half the window). */
    CHAT_ANSWER_RESERVE_TOKENS: positiveInt.default(2048),
    /** The most bytes the messages of one LLM request may take, JSON-encoded (the gateway's limit is 4 MiB). */
    CHAT_MAX_REQUEST_BYTES: positiveInt.default(1_048_576),
    /** Redis for the per-user chat limits, shared by every API replica; unset: this process's memory. */
    REDIS_URL: z
      .string()
      .trim()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
      .optional(),
    /** The built web app, served at `/` when the folder has an index.html (`npm start` builds it). */
    WEB_DIST_DIR: z.string().trim().min(1).default('dist/apps/web'),
    /** The OpenAPI document and UI at /api/docs; unset: on, except when NODE_ENV=production. */
    API_DOCS: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1')),
    /** The reverse proxies whose X-Forwarded-For gives the client IP (rate limits): a count or addresses. */
    TRUST_PROXY: trustProxySchema,
  })
  .superRefine((env, ctx) => {
    if (env.CHAT_ANSWER_RESERVE_TOKENS >= env.CHAT_DEFAULT_CONTEXT_TOKENS) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHAT_ANSWER_RESERVE_TOKENS'],
        message: 'must be less than CHAT_DEFAULT_CONTEXT_TOKENS',
      });
    }
    // The newest message always goes: the longest one the API accepts must fit (4 bytes a character).
    if (env.CHAT_MAX_REQUEST_BYTES < 4 * env.MAX_MESSAGE_CHARS) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHAT_MAX_REQUEST_BYTES'],
        message: `must be at least 4 × MAX_MESSAGE_CHARS (${4 * env.MAX_MESSAGE_CHARS})`,
      });
    }
    if (env.SESSION_IDLE_TIMEOUT > env.SESSION_MAX_AGE) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_IDLE_TIMEOUT'],
        message: 'must not exceed SESSION_MAX_AGE',
      });
    }
    if (env.NODE_ENV !== 'production') return;
    if (env.JWT_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required when NODE_ENV=production' });
    } else if (env.JWT_SECRET.length < 32) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 characters' });
    } else {
      const problem = weakSecretProblem(env.JWT_SECRET, JWT_SECRET_MIN_BITS);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: problem });
    }
  });

/** The command that replaced ADMIN_EMAILS, as the boot error and the docs name it. */
export const ADMIN_COMMAND = 'npm run admin -- grant EMAIL';

export type ApiEnv = z.infer<typeof apiEnvSchema>;

/** How much of a conversation goes to the model with each message (chat/history-budget.ts). */
export interface ChatHistorySettings {
  /** The window assumed when the upstream reports none, in tokens. */
  defaultContextTokens: number;
  /** Kept free for the answer, in tokens; never more than half the window. */
  answerReserveTokens: number;
  /** The most bytes the messages of one LLM request may take, JSON-encoded. */
  maxRequestBytes: number;
}

/** How long a sign-in lasts (auth/sessions). */
export interface SessionSettings {
  idleTimeoutSeconds: number;
  maxAgeSeconds: number;
  cookieSecure: boolean;
}

export interface ApiConfig {
  nodeEnv: ApiEnv['NODE_ENV'];
  port: number;
  host: string;
  /** Unset: the embedded PostgreSQL (its URL is filled in at boot). */
  databaseUrl: string | undefined;
  embeddedPostgresPort: number;
  /** Unset in development until `resolveJwtSecret()` reads or creates the one under DATA_DIR. */
  jwtSecret: string | undefined;
  jwtExpiresInSeconds: number;
  sessions: SessionSettings;
  dataDir: string;
  maxMessageChars: number;
  bodyLimitBytes: number;
  logLevel: LogLevel;
  sseKeepAliveMs: number;
  authRateLimit: number;
  authRateWindowMs: number;
  authAccountFailures: number;
  /** Per-user limits on the chat's LLM requests (undefined: none). */
  chatUserRpm: number | undefined;
  chatUserTpm: number | undefined;
  /** Undefined: no limit (and no per-user lock when a message starts). */
  chatUserMaxStreams: number | undefined;
  /** Per-user limit on every authenticated request (undefined: none). */
  apiUserRpm: number | undefined;
  chatHistory: ChatHistorySettings;
  /** Where the chat limit counters live when set (otherwise in memory). */
  redisUrl: string | undefined;
  trustProxy: TrustProxy;
  /** Serve the OpenAPI document and UI at /api/docs. */
  apiDocs: boolean;
  webDistDir: string;
  llm: LlmConfig;
}

/** The configuration once boot has resolved the database (embedded or not) and the JWT secret. */
export type RuntimeConfig = ApiConfig & { databaseUrl: string; jwtSecret: string };

/** Every configuration problem at once, one line per variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

/** Reads and validates the whole configuration (API and LLM variables); throws `ConfigError`. */
export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const clean: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) clean[key] = value === '' ? undefined : value;

  const issues: string[] = [];
  const parsed = apiEnvSchema.safeParse(clean);
  if (!parsed.success) issues.push(...formatZodIssues(parsed.error));
  // Refused rather than ignored: an upgrade that silently stopped making those addresses admins would
  // be confusing, and one that kept doing it would let anyone register an admin address first.
  if (clean['ADMIN_EMAILS'] !== undefined) {
    issues.push(
      `ADMIN_EMAILS: no longer supported; remove it and make admins with \`${ADMIN_COMMAND}\` ` +
        '(in the API image: `node dist/apps/api/apps/api/src/admin-cli/main.js grant EMAIL`; docker/README.md "Admins")',
    );
  }
  let llm: LlmConfig | undefined;
  try {
    llm = loadLlmConfig(clean);
  } catch (error) {
    if (!(error instanceof LlmConfigError)) throw error;
    issues.push(...error.issues);
  }
  if (!parsed.success || llm === undefined || issues.length > 0) throw new ConfigError(issues);

  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    jwtSecret: e.JWT_SECRET,
    jwtExpiresInSeconds: e.JWT_EXPIRES_IN,
    sessions: {
      idleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT,
      maxAgeSeconds: e.SESSION_MAX_AGE,
      cookieSecure: e.AUTH_COOKIE_SECURE,
    },
    dataDir: e.DATA_DIR,
    maxMessageChars: e.MAX_MESSAGE_CHARS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    sseKeepAliveMs: e.SSE_KEEPALIVE_MS,
    authRateLimit: e.AUTH_RATE_LIMIT,
    authRateWindowMs: e.AUTH_RATE_WINDOW_MS,
    authAccountFailures: e.AUTH_ACCOUNT_FAILURES,
    chatUserRpm: e.CHAT_USER_RPM,
    chatUserTpm: e.CHAT_USER_TPM,
    chatUserMaxStreams: e.CHAT_USER_MAX_STREAMS,
    apiUserRpm: e.API_USER_RPM,
    chatHistory: {
      defaultContextTokens: e.CHAT_DEFAULT_CONTEXT_TOKENS,
      answerReserveTokens: e.CHAT_ANSWER_RESERVE_TOKENS,
      maxRequestBytes: e.CHAT_MAX_REQUEST_BYTES,
    },
    redisUrl: e.REDIS_URL,
    trustProxy: e.TRUST_PROXY,
    apiDocs: e.API_DOCS ?? e.NODE_ENV !== 'production',
    webDistDir: e.WEB_DIST_DIR,
    llm,
  };
}
