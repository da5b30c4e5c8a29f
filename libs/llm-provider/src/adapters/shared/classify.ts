import { LlmError, type LlmErrorCode } from '../../contract';

export interface HttpFailure {
  status: number;
  message: string;
  /** A machine code from the body, when the server sends one (`model_not_found`, `insufficient_quota`). */
  code?: string;
  headers?: Headers | Record<string, string | string[] | undefined> | undefined;
  provider: string;
  url: string;
  cause?: unknown;
}

const CONTEXT_LENGTH =
  /context[ _-]?length|maximum context|context window|too many (input )?tokens|prompt is too long|input (is )?too long/i;

/** Classifies an HTTP error answer by status first, then by the server's code and message. */
export function classifyHttpFailure(failure: HttpFailure): LlmError {
  const { status, message } = failure;
  const relayed = failure.code !== undefined && Object.hasOwn(GATEWAY_CODES, failure.code);
  const code = statusToCode(status, failure.code ?? '', message);
  const retryAfterMs = parseRetryAfter(failure.headers);
  const shouldRetry = header(failure.headers, 'x-should-retry');
  return new LlmError(code, `${failure.provider} answered ${status}: ${message}`, {
    status,
    provider: failure.provider,
    url: failure.url,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...retryHint(failure.code, relayed ? undefined : shouldRetry),
    // A Sluice gateway relays its upstreams' failures with its own codes: it answered, so it is
    // healthy, and its own breakers already counted them.
    ...(relayed ? { scope: 'none' as const } : {}),
    cause: failure.cause,
  });
}

/**
 * An exhausted quota is a 429 that no retry fixes; a server may also say so itself. A Sluice gateway's
 * `x-should-retry` says whether a client should retry at once (it already did), not whether the
 * failure could pass later: for its relayed codes the code's own default stands.
 */
function retryHint(code: string | undefined, shouldRetry: string | undefined): { retryable?: boolean } {
  if (code === 'insufficient_quota' || shouldRetry === 'false') return { retryable: false };
  if (shouldRetry === 'true') return { retryable: true };
  return {};
}

/**
 * The codes a Sluice gateway puts in its OpenAI-shaped errors: in a stream there is no HTTP status,
 * so the code is what carries the class of failure across the second hop.
 */
const GATEWAY_CODES: Record<string, LlmErrorCode> = {
  upstream_unavailable: 'unavailable',
  upstream_timeout: 'timeout',
  upstream_error: 'upstream',
  upstream_auth_failed: 'auth',
  request_aborted: 'aborted',
  rate_limit_exceeded: 'rate_limited',
  model_not_found: 'model_not_found',
};

function statusToCode(status: number, code: string, message: string): LlmErrorCode {
  if (code === 'context_length_exceeded' || CONTEXT_LENGTH.test(message)) return 'context_length';
  const known = GATEWAY_CODES[code];
  if (known) return known;
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'model_not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 499) return 'aborted';
  if (status === 502 || status === 503) return 'unavailable';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'upstream';
  return 'bad_request';
}

function header(headers: HttpFailure['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: HttpFailure['headers']): number | undefined {
  if (!headers) return undefined;
  const get = (name: string) => header(headers, name);
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = get('retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The first system error code in an error's cause chain (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...). */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    if (typeof current === 'object') {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
      const errors = (current as { errors?: unknown }).errors;
      if (Array.isArray(errors)) {
        const nested = errors.map(networkCode).find((c) => c !== undefined);
        if (nested) return nested;
      }
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return undefined;
}

/** A failure below HTTP: nothing answered, or the connection broke while the body was being read. */
export function classifyNetworkFailure(
  error: unknown,
  context: { provider: string; url: string; started: boolean },
): LlmError | undefined {
  const code = networkCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const broken =
    code !== undefined || /terminated|other side closed|socket hang up|fetch failed/i.test(message);
  if (!broken) return undefined;
  if (context.started) {
    return new LlmError(
      'upstream',
      `the connection to ${context.url} broke mid-stream (${code ?? message})`,
      {
        provider: context.provider,
        url: context.url,
        cause: error,
      },
    );
  }
  return new LlmError(
    'unavailable',
    `cannot reach ${context.provider} at ${context.url} (${code ?? message})`,
    {
      provider: context.provider,
      url: context.url,
      // The server closed while we were still sending: it refused the request (a body over its
      // limit, say), which says nothing about its health.
      ...(code === 'EPIPE' ? { scope: 'none' as const } : {}),
      cause: error,
    },
  );
}

/**
 * A failure of our own process, not of the upstream: the body could not be serialized (nested too
 * deep for JSON.stringify, a cycle, a BigInt). The request is at fault, and no circuit should count it.
 */
export function classifyLocalFailure(error: unknown, provider: string): LlmError | undefined {
  const serialization =
    error instanceof RangeError ||
    (error instanceof TypeError && /circular|BigInt|JSON/i.test(error.message));
  if (!serialization) return undefined;
  return new LlmError('bad_request', `the request to ${provider} could not be serialized: ${error.message}`, {
    provider,
    scope: 'none',
    cause: error,
  });
}
