import {
  type Env,
  envConfig,
  fromEnv,
  GATEWAY_TOKEN_MIN_BITS,
  loadConfig,
  weakSecretProblem,
} from '@sluice/contracts';
import { llmEnvSchema } from '@sluice/llm-provider';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MIN_TOKEN_LENGTH = 16;

const bool = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((value) => ['true', 'false', '1', '0'].includes(value), `${name} must be true or false`)
    .transform((value) => value === 'true' || value === '1');

const token = z
  .string()
  .min(MIN_TOKEN_LENGTH, `every token must be at least ${MIN_TOKEN_LENGTH} characters`)
  .regex(/^[\x21-\x7e]+$/, 'a token is printable ASCII without spaces or commas')
  .refine((value) => !value.includes(','), 'a token is printable ASCII without spaces or commas');

const tokenList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  )
  .pipe(z.array(token));

/** Requests or tokens per minute; unset: no limit. */
const perMinute = z.coerce.number().int().positive().optional();

/** The gateway's own settings, validated once at boot. */
const settingsSchema = envConfig({
  port: fromEnv('PORT', z.coerce.number().int().min(0).max(65_535).default(3100)),
  host: fromEnv('HOST', z.string().trim().min(1).default('127.0.0.1')),
  logLevel: fromEnv('LOG_LEVEL', z.enum(LOG_LEVELS).default('info')),
  /** Log the prompts of each call (never headers or tokens). */
  logPrompts: fromEnv('LLM_LOG_PROMPTS', bool('LLM_LOG_PROMPTS').default(false)),
  bodyLimitBytes: fromEnv(
    'BODY_LIMIT_BYTES',
    z.coerce
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
  ),
  /** An SSE comment goes out after this long without a write. */
  keepAliveMs: fromEnv('LLM_SSE_KEEPALIVE_MS', z.coerce.number().int().positive().default(15_000)),
  /** On shutdown, how long open streams may run before they are cut. */
  shutdownGraceMs: fromEnv('LLM_SHUTDOWN_GRACE_MS', z.coerce.number().int().min(0).default(10_000)),
  rateLimits: {
    /** Per end user (`x-sluice-user`, else the body's `safety_identifier` or `user`). */
    user: {
      requestsPerMinute: fromEnv('LLM_USER_RPM', perMinute),
      tokensPerMinute: fromEnv('LLM_USER_TPM', perMinute),
    },
    /** Per caller token. */
    caller: {
      requestsPerMinute: fromEnv('LLM_CALLER_RPM', perMinute),
      tokensPerMinute: fromEnv('LLM_CALLER_TPM', perMinute),
    },
    /** Counters in Redis, shared by every replica; in this process when unset. */
    redisUrl: fromEnv(
      'REDIS_URL',
      z
        .string()
        .trim()
        .refine(
          (value) => /^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value),
          'must be a redis:// URL',
        )
        .optional(),
    ),
    /** Prefix of the Redis keys (a shared Redis may hold several deployments' counters). */
    redisPrefix: fromEnv(
      'LLM_RATE_LIMIT_REDIS_PREFIX',
      z.string().trim().min(1).default('sluice:ratelimit:'),
    ),
  },
});

/**
 * The accepted bearer tokens (several during a rotation) and whether `/v1` may answer without one
 * (development only). Checked on its own, so these problems are reported whatever else is wrong.
 */
const authSchema = z
  .object({
    NODE_ENV: z.string().trim().optional(),
    LLM_GATEWAY_TOKENS: tokenList.optional(),
    // One token, not a list: the API sends this same variable as its bearer token.
    LLM_GATEWAY_TOKEN: z.string().trim().pipe(token).optional(),
    LLM_GATEWAY_ALLOW_NO_AUTH: bool('LLM_GATEWAY_ALLOW_NO_AUTH').default(false),
  })
  .transform((a, ctx) => {
    const issue = (variable: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [variable], message });
    const single = a.LLM_GATEWAY_TOKEN === undefined ? [] : [a.LLM_GATEWAY_TOKEN];
    const tokens = [...new Set([...(a.LLM_GATEWAY_TOKENS ?? []), ...single])];
    const production = a.NODE_ENV === 'production';
    if (production) {
      for (const [variable, values] of [
        ['LLM_GATEWAY_TOKENS', a.LLM_GATEWAY_TOKENS ?? []],
        ['LLM_GATEWAY_TOKEN', single],
      ] as const) {
        const problem = values
          .map((value) => weakSecretProblem(value, GATEWAY_TOKEN_MIN_BITS))
          .find((found) => found !== undefined);
        if (problem !== undefined) issue(variable, problem);
      }
    }
    if (a.LLM_GATEWAY_ALLOW_NO_AUTH && production) {
      issue('LLM_GATEWAY_ALLOW_NO_AUTH', 'not allowed when NODE_ENV=production');
    } else if (tokens.length === 0 && !a.LLM_GATEWAY_ALLOW_NO_AUTH) {
      issue(
        'LLM_GATEWAY_TOKENS',
        'at least one token is required (LLM_GATEWAY_TOKENS, comma-separated, or LLM_GATEWAY_TOKEN); ' +
          'outside production LLM_GATEWAY_ALLOW_NO_AUTH=true turns authentication off',
      );
    }
    /** Empty only when `allowNoAuth` is set. */
    return { tokens, allowNoAuth: tokens.length === 0 && a.LLM_GATEWAY_ALLOW_NO_AUTH };
  });

/** Every variable the gateway itself reads (the LLM module's are `llmEnvSchema`'s), for tools and docs. */
export const gatewayEnvSchemas = [settingsSchema, authSchema];

/**
 * The LLM module as the gateway hosts it: in process only, and without LLM_GATEWAY_TOKEN, which here
 * is the gateway's own token (checked above, in the gateway's words).
 */
const hostedLlmSchema = z
  .looseObject({
    LLM_MODE: z
      .string()
      .refine(
        (mode) => mode.trim() !== 'gateway',
        'must be inprocess (or unset) for the gateway itself; gateway mode would point the gateway at itself',
      )
      .optional(),
  })
  .transform(({ LLM_GATEWAY_TOKEN: _ownToken, ...env }) => env)
  .pipe(llmEnvSchema);

/**
 * Reads the gateway's configuration from the environment. Every problem, the gateway's and the LLM
 * module's, is reported in one `ConfigError` naming each variable.
 */
export function loadGatewayConfig(env: Env = process.env) {
  return loadConfig(env, (read) => ({
    ...read(settingsSchema),
    ...read(authSchema),
    llm: read(hostedLlmSchema),
  }));
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
/** Requests and tokens per minute; an unset field is no limit. */
export type RateLimitRuleConfig = GatewayConfig['rateLimits']['user'];
