import { Logger } from '@nestjs/common';
import type { ApiErrorCode } from '@sluice/contracts';
import { type LlmError, type LlmErrorCode, publicMessage } from '@sluice/llm-provider';
import { ApiException } from './api.exception';

/**
 * The one mapping from LLM library errors to API codes. `aborted` maps to nothing: the client went
 * away, nobody is left to tell. `auth` is our credential problem, not the caller's: it is reported as
 * the LLM being unavailable (and logged).
 */
export const API_CODE_BY_LLM_CODE: Record<LlmErrorCode, ApiErrorCode | null> = {
  unavailable: 'llm_unavailable',
  timeout: 'llm_timeout',
  rate_limited: 'rate_limited',
  bad_request: 'llm_bad_request',
  auth: 'llm_unavailable',
  model_not_found: 'model_not_found',
  context_length: 'context_length_exceeded',
  upstream: 'llm_error',
  aborted: null,
};

const logger = new Logger('LlmErrors');

export interface ApiLlmError {
  code: ApiErrorCode;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
}

/**
 * Code and user-facing message of an LLM error; `null` for `aborted`. The message is a plain
 * sentence: where the upstream is and what it said stay in the logs (the caller gets the request id
 * to point at them).
 */
export function describeLlmError(error: LlmError): ApiLlmError | null {
  const code = API_CODE_BY_LLM_CODE[error.code];
  if (code === null) return null;
  if (error.code === 'auth') {
    logger.error(
      `The LLM upstream ${error.provider ?? ''} ${error.url ?? ''} refused our credentials: ${error.message}`,
    );
  }
  return {
    code,
    message: publicMessage(error),
    retryable: error.retryable,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

/** An LLM error as an HTTP error answer (for the routes that are not streams). */
export function llmErrorToException(error: LlmError): ApiException {
  const described = describeLlmError(error) ?? {
    code: 'llm_error' as const,
    message: 'The LLM request was aborted',
    retryable: true,
  };
  const headers: Record<string, string> =
    described.retryAfterMs === undefined
      ? {}
      : { 'retry-after': String(Math.max(1, Math.ceil(described.retryAfterMs / 1000))) };
  return new ApiException(described.code, described.message, { headers, cause: error });
}
