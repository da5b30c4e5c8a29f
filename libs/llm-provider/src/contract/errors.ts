/** The stable error codes every adapter classifies upstream failures into. */
export const LLM_ERROR_CODES = [
  'unavailable',
  'timeout',
  'rate_limited',
  'bad_request',
  'auth',
  'model_not_found',
  'context_length',
  'upstream',
  'aborted',
] as const;

export type LlmErrorCode = (typeof LLM_ERROR_CODES)[number];

const RETRYABLE_BY_DEFAULT: Record<LlmErrorCode, boolean> = {
  unavailable: true,
  timeout: true,
  rate_limited: true,
  bad_request: false,
  auth: false,
  model_not_found: false,
  context_length: false,
  upstream: true,
  aborted: false,
};

/**
 * Which circuit breaker a failure counts against: the server's (nothing answered: refused, reset,
 * no headers in time), one model's on that server (the server answered but that model failed: its 5xx,
 * a stall, a cut stream), or none (the caller's request was wrong, our own process failed, a gateway
 * in front already accounted for it). Unset: the code's default (see `failureScope` in resilience).
 */
export type FailureScope = 'server' | 'model' | 'none';

export interface LlmErrorOptions {
  /** Overrides the code's default (an exhausted quota is `rate_limited` but not retryable). */
  retryable?: boolean;
  /** HTTP status the upstream answered, when there was one. */
  status?: number;
  /** How long the upstream asked us to wait, from `retry-after-ms` / `retry-after`. */
  retryAfterMs?: number;
  /** The configured provider id (`ollama`, `openai`, ...). */
  provider?: string;
  /** The upstream URL the request went to (never carries credentials). */
  url?: string;
  /** Which circuit this failure counts against, when the code alone does not say (see FailureScope). */
  scope?: FailureScope;
  cause?: unknown;
}

/** The one error type of the library: adapters classify, they never retry. */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly code: LlmErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly url: string | undefined;
  readonly scope: FailureScope | undefined;

  constructor(code: LlmErrorCode, message: string, options: LlmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT[code];
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.url = options.url;
    this.scope = options.scope;
  }

  static is(value: unknown): value is LlmError {
    return value instanceof LlmError;
  }

  /** A plain object safe to log or send over the wire (no cause, no stack). */
  toJSON(): LlmErrorJson {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.provider === undefined ? {} : { provider: this.provider }),
    };
  }
}

export interface LlmErrorJson {
  code: LlmErrorCode;
  message: string;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  provider?: string;
}
