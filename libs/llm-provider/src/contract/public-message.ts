import type { LlmError, LlmErrorCode } from './errors';

const MESSAGES: Record<LlmErrorCode, string> = {
  unavailable: 'The model server is not available right now.',
  timeout: 'The model server did not answer in time.',
  rate_limited: 'The model server is busy.',
  bad_request: 'The model server refused the request as invalid.',
  auth: 'The model server refused the credentials it is called with.',
  model_not_found: 'The model was not found on the model server.',
  context_length: "The conversation is too long for the model's context window.",
  upstream: 'The model server failed while answering.',
  aborted: 'The request was cancelled.',
};

/**
 * What a caller (a browser, an OpenAI client) is told about a failure: a plain sentence per code.
 * An LlmError's own message names upstream addresses and repeats the upstream's words; that belongs
 * in the logs, never in an answer.
 */
export function publicMessage(error: LlmError): string {
  if (error.code === 'rate_limited' && !error.retryable) return "The model provider's quota is used up.";
  return MESSAGES[error.code];
}
