import { LlmError, type LlmErrorCode, publicMessage } from '@sluice/llm-provider';
import { GatewayShutdownError } from './call-tracker';

/** OpenAI's error body: `{"error":{"message","type","param","code"}}`. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** What a request ended with, for logs and the `outcome` metric label. */
export type Outcome = 'ok' | LlmErrorCode | 'unauthorized' | 'internal';

export interface OpenAiErrorInit {
  status: number;
  message: string;
  type: string;
  code?: string | null;
  param?: string | null;
  /** Extra response headers (`retry-after`, `x-should-retry`). */
  headers?: Record<string, string>;
  outcome: Outcome;
}

/** An error the gateway answers in OpenAI's shape; the exception filter sends it. */
export class OpenAiHttpError extends Error {
  override readonly name = 'OpenAiHttpError';
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly outcome: Outcome;

  constructor(init: OpenAiErrorInit) {
    super(init.message);
    this.status = init.status;
    this.type = init.type;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
    this.outcome = init.outcome;
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  static invalidRequest(message: string, param: string | null = null): OpenAiHttpError {
    return new OpenAiHttpError({
      status: 400,
      message,
      type: 'invalid_request_error',
      param,
      outcome: 'bad_request',
    });
  }

  static unauthorized(message: string): OpenAiHttpError {
    return new OpenAiHttpError({
      status: 401,
      message,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      outcome: 'unauthorized',
    });
  }
}

interface Mapping {
  status: number;
  type: string;
  code: string | null;
}

/**
 * Each library error code to the status and error object a caller of OpenAI would expect. `auth`
 * means OUR upstream credentials were refused: the caller is not at fault, so it is a 502, not a 401.
 * `aborted` (the caller went away) uses nginx's 499; nobody reads it but the logs.
 */
const BY_CODE: Record<LlmErrorCode, Mapping> = {
  bad_request: { status: 400, type: 'invalid_request_error', code: null },
  context_length: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' },
  model_not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  rate_limited: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
  unavailable: { status: 503, type: 'server_error', code: 'upstream_unavailable' },
  timeout: { status: 504, type: 'server_error', code: 'upstream_timeout' },
  upstream: { status: 502, type: 'server_error', code: 'upstream_error' },
  auth: { status: 502, type: 'server_error', code: 'upstream_auth_failed' },
  aborted: { status: 499, type: 'invalid_request_error', code: 'request_aborted' },
};

/** What the gateway knows when it answers a library error. */
export interface ErrorContext {
  /** Named in the message, so a caller can point an operator at the log line. */
  requestId: string;
  /** The longest Retry-After the gateway waits out itself (its backoff's `maxRetryAfterMs`). */
  maxRetryAfterMs: number;
}

/**
 * Maps a library error to OpenAI's form. The message is a plain sentence and the request id: upstream
 * addresses and the upstream's own words stay in the logs.
 *
 * Retries happen in one layer, here: by the time an error is answered the gateway has used its own
 * retries (LLM_MAX_RETRIES), so `x-should-retry: false` tells openai-node (and every client that obeys
 * it) not to multiply them. The one exception is a 429 whose Retry-After is longer than the gateway
 * would wait itself: it did not retry that one, and the caller may, once the wait is over.
 */
export function fromLlmError(error: LlmError, context: ErrorContext): OpenAiHttpError {
  const mapping = BY_CODE[error.code];
  const waitsLonger =
    error.code === 'rate_limited' &&
    error.retryable &&
    error.retryAfterMs !== undefined &&
    error.retryAfterMs > context.maxRetryAfterMs;
  const headers: Record<string, string> = { 'x-should-retry': String(waitsLonger) };
  if (error.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(Math.max(0, Math.round(error.retryAfterMs)));
  }
  const quota = error.code === 'rate_limited' && !error.retryable;
  return new OpenAiHttpError({
    status: mapping.status,
    message: `${error instanceof GatewayShutdownError ? GatewayShutdownError.MESSAGE : publicMessage(error)} (request id ${context.requestId})`,
    type: quota ? 'insufficient_quota' : mapping.type,
    code: quota ? 'insufficient_quota' : mapping.code,
    headers,
    outcome: error.code,
  });
}

/** Anything thrown to an OpenAI error; `undefined` for what only the last-resort path should handle. */
export function toOpenAiError(error: unknown, context: ErrorContext): OpenAiHttpError | undefined {
  if (error instanceof OpenAiHttpError) return error;
  if (LlmError.is(error)) return fromLlmError(error, context);
  return undefined;
}
