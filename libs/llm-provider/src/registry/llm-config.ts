import { type Env, GATEWAY_TOKEN_MIN_BITS, loadConfig, weakSecretProblem } from '@sluice/contracts';
import { z } from 'zod';
import type { LlmTimeouts, ProviderKind } from '../contract';
import type { BackoffPolicy, CircuitBreakerPolicy, ConcurrencyPolicy } from '../resilience';
import { loadRoutingFile } from '../routing';

const url = (name: string) =>
  z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value), `${name} must be an http(s) URL`)
    .transform((value) => value.replace(/\/+$/, ''));

const positiveMs = z.coerce.number().int().positive();

/** The environment variables the LLM module reads (README.md#llm-configuration). */
const llmVariables = z
  .object({
    LLM_MODE: z.enum(['inprocess', 'gateway']).default('inprocess'),
    LLM_PROVIDER: z.enum(['ollama', 'openai', 'vllm']).default('ollama'),
    LLM_MODEL: z.string().trim().min(1).optional(),
    OLLAMA_BASE_URL: url('OLLAMA_BASE_URL').optional(),
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
    /** Only to refuse a weak LLM_GATEWAY_TOKEN in production; the apps validate it themselves. */
    NODE_ENV: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    const issue = (variable: keyof typeof env, message: string) =>
      ctx.addIssue({ code: 'custom', path: [variable], message });
    const require = (variable: keyof typeof env, when: string) => {
      if (env[variable] === undefined) issue(variable, `required when ${when}`);
    };
    // The token the API presents to the gateway must not be a placeholder or guessable.
    const token = env.LLM_GATEWAY_TOKEN;
    if (env.NODE_ENV?.trim() === 'production' && token !== undefined && token.length >= 16) {
      const problem = weakSecretProblem(token, GATEWAY_TOKEN_MIN_BITS);
      if (problem !== undefined) issue('LLM_GATEWAY_TOKEN', problem);
    }
    if (env.LLM_MODE === 'gateway') {
      require('LLM_GATEWAY_URL', 'LLM_MODE=gateway');
      require('LLM_GATEWAY_TOKEN', 'LLM_MODE=gateway');
      return;
    }
    if (env.LLM_PROVIDER === 'openai') require('OPENAI_API_KEY', 'LLM_PROVIDER=openai');
    if (env.LLM_PROVIDER === 'vllm') require('VLLM_BASE_URL', 'LLM_PROVIDER=vllm');
  });

type LlmVariables = z.output<typeof llmVariables>;

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434';

function provider(
  id: string,
  kind: ProviderKind,
  baseUrl: string,
  apiKey: string | undefined,
  timeouts: Required<LlmTimeouts>,
) {
  return { id, kind, baseUrl, apiKey, timeouts };
}

/**
 * In gateway mode the only provider is the gateway itself, reached through the `sluice-gateway`
 * adapter; otherwise every provider with an address configured is built, the default one always.
 */
function providersOf(e: LlmVariables, timeouts: Required<LlmTimeouts>) {
  if (e.LLM_MODE === 'gateway') {
    return [provider('gateway', 'sluice-gateway', `${e.LLM_GATEWAY_URL}/v1`, e.LLM_GATEWAY_TOKEN, timeouts)];
  }
  const providers = [];
  if (e.LLM_PROVIDER === 'ollama' || e.OLLAMA_BASE_URL !== undefined) {
    providers.push(
      provider('ollama', 'ollama', e.OLLAMA_BASE_URL ?? OLLAMA_DEFAULT_BASE_URL, undefined, timeouts),
    );
  }
  if (e.LLM_PROVIDER === 'openai' || e.OPENAI_BASE_URL !== undefined || e.OPENAI_API_KEY !== undefined) {
    const baseUrl = e.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL;
    providers.push(provider('openai', 'openai', baseUrl, e.OPENAI_API_KEY, timeouts));
  }
  if (e.VLLM_BASE_URL !== undefined) {
    providers.push(provider('vllm', 'vllm', e.VLLM_BASE_URL, e.VLLM_API_KEY, timeouts));
  }
  return providers;
}

function toLlmConfig(e: LlmVariables) {
  const gateway = e.LLM_MODE === 'gateway';
  const providers = providersOf(e, {
    connectMs: e.LLM_CONNECT_TIMEOUT_MS ?? (gateway ? 20_000 : 10_000),
    firstTokenMs: e.LLM_FIRST_TOKEN_TIMEOUT_MS,
    idleMs: e.LLM_IDLE_TIMEOUT_MS,
    totalMs: e.LLM_TOTAL_TIMEOUT_MS,
  });
  const routingFile = gateway ? undefined : e.LLM_MODELS_FILE;
  return {
    mode: e.LLM_MODE,
    resilience: {
      backoff: {
        maxRetries: e.LLM_MAX_RETRIES ?? (gateway ? 0 : 2),
        baseDelayMs: 250,
        maxDelayMs: 4_000,
        maxRetryAfterMs: 10_000,
      } satisfies BackoffPolicy,
      circuitBreaker: {
        failureThreshold: e.LLM_BREAKER_FAILURES,
        cooldownMs: e.LLM_BREAKER_COOLDOWN_MS,
      } satisfies CircuitBreakerPolicy,
      /** The default for every upstream; the routing file can set each one's own. */
      concurrency: {
        maxConcurrent: e.LLM_MAX_CONCURRENCY ?? Infinity,
        maxQueue: e.LLM_MAX_QUEUE,
        queueTimeoutMs: e.LLM_QUEUE_TIMEOUT_MS,
      } satisfies ConcurrencyPolicy,
    },
    /** Model aliases with fallback chains and per-upstream limits, from `LLM_MODELS_FILE`. */
    routing:
      routingFile === undefined
        ? undefined
        : loadRoutingFile(
            routingFile,
            providers.map((p) => p.id),
          ),
    /** The provider a request without `provider:` goes to. */
    defaultProvider: gateway ? 'gateway' : e.LLM_PROVIDER,
    /** The model a request without one gets; unset: the first model the default provider lists. */
    defaultModel: e.LLM_MODEL,
    providers,
  };
}

/** The LLM module's variables, read into its configuration (a routing file's problems included). */
export const llmEnvSchema = llmVariables.transform(toLlmConfig);

export type LlmConfig = z.output<typeof llmEnvSchema>;
export type ProviderConfig = LlmConfig['providers'][number];
export type ResilienceSettings = LlmConfig['resilience'];

/** Reads the LLM configuration from the environment; throws `ConfigError` naming every bad variable. */
export function loadLlmConfig(env: Env = process.env): LlmConfig {
  return loadConfig(env, (read) => read(llmEnvSchema));
}
