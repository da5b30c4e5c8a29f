import { LlmError } from '../../contract';
import { classifyHttpFailure, type HttpFailure } from '../shared/classify';

/** What an error body says, whichever server wrote it. */
export interface ErrorBodyFacts {
  message?: string;
  /** A machine code (`model_not_found`, `insufficient_quota`). */
  code?: string;
  /** A status carried in the body: vLLM's integer `code`, TGI's `http_status_code`. */
  status?: number;
}

/**
 * Reads the error shapes of OpenAI-compatible servers (docs/wire-formats.md#openai-errors): OpenAI
 * `{error:{message,code:string}}`; vLLM `{error:{message,code:int}}` or, before 0.10.1, the same fields
 * flat at the top with `object:"error"`; `{"error":"Unauthorized"}`; TGI `{error:string,error_type}`
 * and, in a stream, `{error:{message,http_status_code}}`. `value` is the whole body or, from the openai
 * package, its `error` member (since openai 7, the whole body when it has none, as vLLM's flat form).
 */
export function describeErrorBody(value: unknown): ErrorBodyFacts {
  if (typeof value === 'string') return { message: value };
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  if (typeof record.error === 'string') return { message: record.error };
  const inner = (typeof record.error === 'object' && record.error !== null ? record.error : record) as Record<
    string,
    unknown
  >;
  const facts: ErrorBodyFacts = {};
  if (typeof inner.message === 'string') facts.message = inner.message;
  if (typeof inner.code === 'string') facts.code = inner.code;
  if (typeof inner.code === 'number') facts.status = inner.code;
  else if (typeof inner.http_status_code === 'number') facts.status = inner.http_status_code;
  return facts;
}

export interface WireErrorContext {
  provider: string;
  url: string;
  headers?: HttpFailure['headers'];
  cause?: unknown;
}

/** An HTTP error answer (status ≥ 300): what its body says, else `fallback` (the body's text, say). */
export function httpAnswerError(
  status: number,
  facts: ErrorBodyFacts,
  fallback: string,
  context: WireErrorContext,
): LlmError {
  return classifyHttpFailure({
    status,
    message: facts.message ?? fallback,
    ...(facts.code === undefined ? {} : { code: facts.code }),
    headers: context.headers,
    provider: context.provider,
    url: context.url,
    cause: context.cause,
  });
}

/** An error event inside a 200 stream: no HTTP status, so the body's, else a server failure. */
export function inStreamError(facts: ErrorBodyFacts, context: WireErrorContext): LlmError {
  const status = facts.status ?? 500;
  const message = facts.message ?? 'an error event without a message';
  const classified = classifyHttpFailure({
    status,
    message,
    ...(facts.code === undefined ? {} : { code: facts.code }),
    provider: context.provider,
    url: context.url,
  });
  return new LlmError(classified.code, `${context.provider} failed mid-stream: ${message}`, {
    status,
    provider: context.provider,
    url: context.url,
    ...(classified.scope === undefined ? {} : { scope: classified.scope }),
    ...(context.cause === undefined ? {} : { cause: context.cause }),
  });
}

/** An error body's text, as JSON when it is, else as the message itself. */
export function parseErrorText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.trim() === '' ? undefined : text.trim().slice(0, 500);
  }
}
