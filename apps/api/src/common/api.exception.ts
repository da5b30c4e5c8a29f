import type { ApiErrorCode, ValidationIssue } from '@sluice/contracts';

export interface ApiExceptionOptions {
  details?: unknown;
  /** Response headers that go with the error (`retry-after`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The one exception of the API: a stable code from the contracts list, a message a user may read,
 * optional details. `ApiExceptionFilter` maps each code to its HTTP status.
 */
export class ApiException extends Error {
  override readonly name = 'ApiException';
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options: ApiExceptionOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  static validation(issues: ValidationIssue[]): ApiException {
    const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
    return new ApiException('validation_failed', `Invalid request: ${summary.join('; ')}`, {
      details: issues,
    });
  }

  static notFound(what: string): ApiException {
    return new ApiException('not_found', `${what} not found`);
  }

  static unauthorized(message = 'Authentication required'): ApiException {
    return new ApiException('unauthorized', message);
  }
}
