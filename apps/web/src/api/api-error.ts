import {
  type ApiErrorCode,
  API_ERROR_CODES,
  errorResponseSchema,
  type ValidationIssue,
  validationIssueSchema,
} from '@sluice/contracts';

/** The API's codes, plus what only the client can see: no answer at all, or an answer it cannot read. */
export type ClientErrorCode = ApiErrorCode | 'network_error' | 'bad_response';

export interface ApiErrorOptions {
  status?: number;
  details?: unknown;
  requestId?: string;
  /** From `retry-after`: seconds to wait before trying again. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

const CODE_BY_STATUS: Record<number, ApiErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'llm_unavailable',
  504: 'llm_timeout',
};

/** Codes where sending the same request again later may work. */
const RETRYABLE = new Set<ClientErrorCode>([
  'network_error',
  'rate_limited',
  'too_many_streams',
  'llm_unavailable',
  'llm_timeout',
  'llm_error',
  'internal',
]);

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return (API_ERROR_CODES as readonly string[]).includes(code);
}

/** `retry-after` is seconds or an HTTP date; answers whole seconds from now (at least 1), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(1, Math.ceil((date - now) / 1000));
}

/** Every failed API call, whatever the route: a stable code to branch on and a message a user may read. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number | undefined;
  readonly details: unknown;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.details = options.details;
    this.requestId = options.requestId;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** The field-level problems of a `validation_failed` error (empty for any other). */
  get issues(): ValidationIssue[] {
    if (this.code !== 'validation_failed' || !Array.isArray(this.details)) return [];
    return this.details.flatMap((item) => {
      const parsed = validationIssueSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Reads a non-2xx answer: the API's one error shape when it is there, the status otherwise. */
  static async fromResponse(response: Response): Promise<ApiError> {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
    const headerRequestId = response.headers.get('x-request-id') ?? undefined;
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    const parsed = errorResponseSchema.safeParse(body);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      return new ApiError(code, message, {
        status: response.status,
        details,
        requestId: parsed.data.requestId,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });
    }
    const code = CODE_BY_STATUS[response.status] ?? (response.status >= 500 ? 'internal' : 'bad_response');
    return new ApiError(code, `The server answered ${response.status} ${response.statusText}`.trim(), {
      status: response.status,
      ...(headerRequestId === undefined ? {} : { requestId: headerRequestId }),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }

  static network(cause: unknown): ApiError {
    return new ApiError('network_error', 'Cannot reach the server. Check your connection and try again.', {
      cause,
    });
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException
    ? error.name === 'AbortError'
    : error instanceof Error && error.name === 'AbortError';
}
