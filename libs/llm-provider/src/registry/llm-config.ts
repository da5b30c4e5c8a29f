import { GATEWAY_TOKEN_MIN_BITS, weakSecretProblem } from '@sluice/contracts';
import { z } from 'zod';
import type { LlmTimeouts, ProviderKind } from '../contract';
import type { BackoffPolicy, CircuitBreakerPolicy, ConcurrencyPolicy } from '../resilience';
import { loadRoutingFile, type RoutingConfig } from '../routing';
import { formatZodIssues, LlmConfigError } from './config-error';

const url = (name: string) =>
  z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value), `${name} must be an http(s) URL`)
    .transform((value) => value.replace(/\/+$/, ''));

const positiveMs = z.coerce.number().int().positive();

/** The environment variables the LLM module reads (DESIGN.md "Configuration"). */
export const llmEnvSchema = z
  .object({
    LLM_MODE: z.enum(['inprocess', 'gateway']).default('inprocess'),
    LLM_PROVIDER: z.enum(['ollama', 'openai', 'vllm']).default('ollama'),
    LLM_MODEL: z.string().trim().min(1).optional(),
    OLLAMA_BASE_URL: url('OLLAMA_BASE_URL').default('http://127.0.0.1:11434'),
    OPENAI_BASE_URL: url('OPENAI_BASE_URL').optional(),
    OPENAI_API_KEY: z.string().min(1).optional(),
    VLLM_BASE_URL: url('VLLM_BASE_URL').optional(),
    VLLM_API_KEY: z.string().min(1).optional(),
    LLM_GATEWAY_URL: url('LLM_GATEWAY_URL').optional(),
    LLM_GATEWAY_TOKEN: z.string().min(16, 'LLM_GATEWAY_TOKEN must be at least 16 characters').optional(),
    /**
     * Default 10 s; 20 s in gateway mode, where the gateway holds its headers until the first token
     * for up to its LLM_SSE_KEEPALIVE_MS (15 s by default): a shorter deadline here would cut every
     * answer slower than it to start.
     */
    LLM_CONNECT_TIMEOUT_MS: positiveMs.optional(),
    LLM_FIRST_TOKEN_TIMEOUT_MS: positiveMs.default(120_000),
    LLM_IDLE_TIMEOUT_MS: positiveMs.default(60_000),
    LLM_TOTAL_TIMEOUT_MS: positiveMs.default(600_000),
    LLM_MODELS_FILE: z.string().trim().min(1).optional(),
    /** Default 2; 0 in gateway mode, where the gateway retries and a second layer would multiply calls. */
    LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).optional(),
    LLM_MAX_CONCURRENCY: z.coerce.number().int().positive().optional(),
    LLM_MAX_QUEUE: z.coerce.number().int().min(0).default(100),
    LLM_QUEUE_TIMEOUT_MS: positiveMs.default(30_000),
    LLM_BREAKER_FAILURES: z.coerce.number().int().min(0).default(5),
    LLM_BREAKER_COOLDOWN_MS: positiveMs.default(30_000),
  })
  .superRefine((env, ctx) => {
    const require = (key: keyof typeof env, when: string) => {
      if (env[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: `required when ${when}` });
    };
    if (env.LLM_MODE === 'gateway') {
      require('LLM_GATEWAY_URL', 'LLM_MODE=gateway');
      require('LLM_GATEWAY_TOKEN', 'LLM_MODE=gateway');
      return;
    }
    if (env.LLM_PROVIDER === 'openai') require('OPENAI_API_KEY', 'LLM_PROVIDER=openai');
    if (env.LLM_PROVIDER === 'vllm') require('VLLM_BASE_URL', 'LLM_PROVIDER=vllm');
  });

export type LlmEnv = z.infer<typeof llmEnvSchema>;

export interface ProviderConfig {
  /** Unique name in the registry, used in `provider:model` references. */
  id: string;
  kind: ProviderKind;
  baseUrl: string;
  apiKey?: string;
  /** The upstream is the Sluice gateway (stage two): see `ProviderSettings.sluiceGateway`. */
  sluiceGateway?: boolean;
  /** Default deadlines for every call through this provider. */
  timeouts: Required<LlmTimeouts>;
}

export interface ResilienceSettings {
  backoff: BackoffPolicy;
  circuitBreaker: CircuitBreakerPolicy;
  /** The default for every upstream; the routing file can set each one's own. */
  concurrency: ConcurrencyPolicy;
}

export interface LlmConfig {
  mode: 'inprocess' | 'gateway';
  resilience: ResilienceSettings;
  /** Model aliases with fallback chains and per-upstream limits, from `LLM_MODELS_FILE`. */
  routing?: RoutingConfig;
  /** The provider a request without `provider:` goes to. */
  defaultProvider: string;
  /** The model a request without one gets; unset: the first model the default provider lists. */
  defaultModel?: string;
  providers: ProviderConfig[];
}

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * Reads the LLM configuration from the environment. Every provider with an address configured is
 * built; the default one always is. In gateway mode the only provider is the gateway itself, reached
 * through the OpenAI-compatible adapter.
 */
export function loadLlmConfig(env: Record<string, string | undefined> = process.env): LlmConfig {
  const vars = blankToUndefined(env);
  const parsed = llmEnvSchema.safeParse(vars);
  const issues = [...(parsed.success ? [] : formatZodIssues(parsed.error)), ...productionSecretIssues(vars)];
  if (!parsed.success || issues.length > 0) throw new LlmConfigError(issues);
  const e = parsed.data;
  const resilience: ResilienceSettings = {
    backoff: {
      maxRetries: e.LLM_MAX_RETRIES ?? (e.LLM_MODE === 'gateway' ? 0 : 2),
      baseDelayMs: 250,
      maxDelayMs: 4_000,
      maxRetryAfterMs: 10_000,
    },
    circuitBreaker: { failureThreshold: e.LLM_BREAKER_FAILURES, cooldownMs: e.LLM_BREAKER_COOLDOWN_MS },
    concurrency: {
      maxConcurrent: e.LLM_MAX_CONCURRENCY ?? Infinity,
      maxQueue: e.LLM_MAX_QUEUE,
      queueTimeoutMs: e.LLM_QUEUE_TIMEOUT_MS,
    },
  };
  const timeouts: Required<LlmTimeouts> = {
    connectMs: e.LLM_CONNECT_TIMEOUT_MS ?? (e.LLM_MODE === 'gateway' ? 20_000 : 10_000),
    firstTokenMs: e.LLM_FIRST_TOKEN_TIMEOUT_MS,
    idleMs: e.LLM_IDLE_TIMEOUT_MS,
    totalMs: e.LLM_TOTAL_TIMEOUT_MS,
  };

  if (e.LLM_MODE === 'gateway' && e.LLM_GATEWAY_URL !== undefined && e.LLM_GATEWAY_TOKEN !== undefined) {
    return {
      mode: 'gateway',
      resilience,
      defaultProvider: 'gateway',
      ...(e.LLM_MODEL === undefined ? {} : { defaultModel: e.LLM_MODEL }),
      providers: [
        {
          id: 'gateway',
          kind: 'openai',
          baseUrl: `${e.LLM_GATEWAY_URL}/v1`,
          apiKey: e.LLM_GATEWAY_TOKEN,
          sluiceGateway: true,
          timeouts,
        },
      ],
    };
  }

  const providers: ProviderConfig[] = [];
  if (e.LLM_PROVIDER === 'ollama' || env.OLLAMA_BASE_URL) {
    providers.push({ id: 'ollama', kind: 'ollama', baseUrl: e.OLLAMA_BASE_URL, timeouts });
  }
  if (e.LLM_PROVIDER === 'openai' || e.OPENAI_BASE_URL !== undefined || e.OPENAI_API_KEY !== undefined) {
    providers.push({
      id: 'openai',
      kind: 'openai',
      baseUrl: e.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL,
      ...(e.OPENAI_API_KEY === undefined ? {} : { apiKey: e.OPENAI_API_KEY }),
      timeouts,
    });
  }
  if (e.VLLM_BASE_URL !== undefined) {
    providers.push({
      id: 'vllm',
      kind: 'vllm',
      baseUrl: e.VLLM_BASE_URL,
      ...(e.VLLM_API_KEY === undefined ? {} : { apiKey: e.VLLM_API_KEY }),
      timeouts,
    });
  }
  const routing =
    e.LLM_MODELS_FILE === undefined
      ? undefined
      : loadRoutingFile(
          e.LLM_MODELS_FILE,
          providers.map((provider) => provider.id),
        );
  return {
    mode: 'inprocess',
    resilience,
    ...(routing ? { routing } : {}),
    defaultProvider: e.LLM_PROVIDER,
    ...(e.LLM_MODEL === undefined ? {} : { defaultModel: e.LLM_MODEL }),
    providers,
  };
}

/** In production the token the API presents to the gateway must not be a placeholder or guessable. */
function productionSecretIssues(vars: Record<string, string | undefined>): string[] {
  const token = vars['LLM_GATEWAY_TOKEN'];
  if (vars['NODE_ENV']?.trim() !== 'production' || token === undefined || token.length < 16) return [];
  const problem = weakSecretProblem(token, GATEWAY_TOKEN_MIN_BITS);
  return problem === undefined ? [] : [`LLM_GATEWAY_TOKEN: ${problem}`];
}

/** `FOO=` in an env file means "not set", not "set to the empty string". */
function blankToUndefined(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) out[key] = value === '' ? undefined : value;
  return out;
}
