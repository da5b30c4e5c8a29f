import { GATEWAY_TOKEN_MIN_BITS, weakSecretProblem } from '@sluice/contracts';
import { type LlmConfig, LlmConfigError, loadLlmConfig } from '@sluice/llm-provider';
import { z } from 'zod';

/** The gateway's own settings plus the LLM module's; validated once at boot. */
export interface GatewayConfig {
  port: number;
  host: string;
  /** Accepted bearer tokens (several during a rotation). Empty only when `allowNoAuth` is set. */
  tokens: string[];
  /** Development only: `/v1` answers without a token (refused when NODE_ENV=production). */
  allowNoAuth: boolean;
  logLevel: LogLevel;
  /** Log the prompts of each call (never headers or tokens). */
  logPrompts: boolean;
  bodyLimitBytes: number;
  /** An SSE comment goes out after this long without a write. */
  keepAliveMs: number;
  /** On shutdown, how long open streams may run before they are cut. */
  shutdownGraceMs: number;
  rateLimits: RateLimitsConfig;
  llm: LlmConfig;
}

/** Requests and tokens per minute; an unset field is no limit. */
export interface RateLimitRuleConfig {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface RateLimitsConfig {
  /** Per end user (`x-sluice-user`, else the body's `safety_identifier` or `user`). */
  user: RateLimitRuleConfig;
  /** Per caller token. */
  caller: RateLimitRuleConfig;
  /** Counters in Redis, shared by every replica; in this process when unset. */
  redisUrl?: string;
  /** Prefix of the Redis keys (a shared Redis may hold several deployments' counters). */
  redisPrefix: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MIN_TOKEN_LENGTH = 16;

/** Thrown at boot for a bad environment; the message names every bad variable. */
export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';
  readonly code = 'invalid_configuration';

  constructor(readonly issues: string[]) {
    super(`Invalid LLM gateway configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

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

const serverEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3100),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LLM_LOG_PROMPTS: bool('LLM_LOG_PROMPTS').default(false),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  LLM_SSE_KEEPALIVE_MS: z.coerce.number().int().positive().default(15_000),
  LLM_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
});

const perMinute = z.coerce.number().int().positive().optional();

const rateLimitEnvSchema = z.object({
  LLM_USER_RPM: perMinute,
  LLM_USER_TPM: perMinute,
  LLM_CALLER_RPM: perMinute,
  LLM_CALLER_TPM: perMinute,
  REDIS_URL: z
    .string()
    .trim()
    .refine((value) => /^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value), 'must be a redis:// URL')
    .optional(),
  LLM_RATE_LIMIT_REDIS_PREFIX: z.string().trim().min(1).default('sluice:ratelimit:'),
});

const authEnvSchema = z.object({
  NODE_ENV: z.string().trim().optional(),
  LLM_GATEWAY_TOKENS: tokenList.optional(),
  // One token, not a list: the API sends this same variable as its bearer token.
  LLM_GATEWAY_TOKEN: z.string().trim().pipe(token).optional(),
  LLM_GATEWAY_ALLOW_NO_AUTH: bool('LLM_GATEWAY_ALLOW_NO_AUTH').default(false),
});

/** Every variable the gateway itself reads (the LLM module's are `llmEnvSchema`'s), for tools and docs. */
export const gatewayEnvSchema = serverEnvSchema.extend(rateLimitEnvSchema.shape).extend(authEnvSchema.shape);

/**
 * Reads the gateway's configuration from the environment. Every problem, the gateway's and the LLM
 * module's, is reported in one error naming each variable.
 */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const issues: string[] = [];
  const vars = blankToUndefined(env);
  const server = serverEnvSchema.safeParse(vars);
  if (!server.success) issues.push(...formatIssues(server.error));
  const auth = authEnvSchema.safeParse(vars);
  if (!auth.success) issues.push(...formatIssues(auth.error));
  const limits = rateLimitEnvSchema.safeParse(vars);
  if (!limits.success) issues.push(...formatIssues(limits.error));

  let tokens: string[] = [];
  let allowNoAuth = false;
  if (auth.success) {
    const a = auth.data;
    tokens = [
      ...new Set([
        ...(a.LLM_GATEWAY_TOKENS ?? []),
        ...(a.LLM_GATEWAY_TOKEN === undefined ? [] : [a.LLM_GATEWAY_TOKEN]),
      ]),
    ];
    allowNoAuth = tokens.length === 0 && a.LLM_GATEWAY_ALLOW_NO_AUTH;
    if (a.NODE_ENV === 'production') {
      const named: [string, string[] | undefined][] = [
        ['LLM_GATEWAY_TOKENS', a.LLM_GATEWAY_TOKENS],
        ['LLM_GATEWAY_TOKEN', a.LLM_GATEWAY_TOKEN === undefined ? undefined : [a.LLM_GATEWAY_TOKEN]],
      ];
      for (const [name, values] of named) {
        const problem = values
          ?.map((value) => weakSecretProblem(value, GATEWAY_TOKEN_MIN_BITS))
          .find((found) => found !== undefined);
        if (problem !== undefined) issues.push(`${name}: ${problem}`);
      }
    }
    if (a.LLM_GATEWAY_ALLOW_NO_AUTH && a.NODE_ENV === 'production') {
      issues.push('LLM_GATEWAY_ALLOW_NO_AUTH: not allowed when NODE_ENV=production');
    } else if (tokens.length === 0 && !a.LLM_GATEWAY_ALLOW_NO_AUTH) {
      issues.push(
        'LLM_GATEWAY_TOKENS: at least one token is required (LLM_GATEWAY_TOKENS, comma-separated, or LLM_GATEWAY_TOKEN); ' +
          'outside production LLM_GATEWAY_ALLOW_NO_AUTH=true turns authentication off',
      );
    }
  }

  const gatewayIssues = issues.length;
  let llm: LlmConfig | undefined;
  if (vars.LLM_MODE?.trim() === 'gateway') {
    issues.push(
      'LLM_MODE: must be inprocess (or unset) for the gateway itself; gateway mode would point the gateway at itself',
    );
  } else {
    try {
      llm = loadLlmConfig(env);
    } catch (error) {
      if (!(error instanceof LlmConfigError)) throw error;
      // Both schemas check LLM_GATEWAY_TOKEN: report it once, in the gateway's words.
      const ours = new Set(issues.slice(0, gatewayIssues).map(variableOf));
      issues.push(
        ...error.issues.filter(
          (issue) => variableOf(issue) !== 'LLM_GATEWAY_TOKEN' || !ours.has('LLM_GATEWAY_TOKEN'),
        ),
      );
    }
  }

  if (issues.length > 0 || !server.success || !limits.success || !llm) throw new GatewayConfigError(issues);
  const e = server.data;
  const l = limits.data;
  return {
    port: e.PORT,
    host: e.HOST,
    tokens,
    allowNoAuth,
    logLevel: e.LOG_LEVEL,
    logPrompts: e.LLM_LOG_PROMPTS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    keepAliveMs: e.LLM_SSE_KEEPALIVE_MS,
    shutdownGraceMs: e.LLM_SHUTDOWN_GRACE_MS,
    rateLimits: {
      user: rule(l.LLM_USER_RPM, l.LLM_USER_TPM),
      caller: rule(l.LLM_CALLER_RPM, l.LLM_CALLER_TPM),
      ...(l.REDIS_URL === undefined ? {} : { redisUrl: l.REDIS_URL }),
      redisPrefix: l.LLM_RATE_LIMIT_REDIS_PREFIX,
    },
    llm,
  };
}

function rule(rpm: number | undefined, tpm: number | undefined): RateLimitRuleConfig {
  return {
    ...(rpm === undefined ? {} : { requestsPerMinute: rpm }),
    ...(tpm === undefined ? {} : { tokensPerMinute: tpm }),
  };
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** `FOO=` in an env file means "not set", as in the LLM module. */
function blankToUndefined(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) out[key] = value?.trim() === '' ? undefined : value;
  return out;
}

function variableOf(issue: string): string {
  return issue.slice(0, issue.indexOf(':'));
}
