import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { type ApiErrorCode, boundForLog } from '@sluice/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiException } from './api.exception';
import { sendApiException } from './api-exception.filter';

const CODE_BY_STATUS: Partial<Record<number, ApiErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'validation_failed',
  [HttpStatus.UNAUTHORIZED]: 'unauthorized',
  [HttpStatus.FORBIDDEN]: 'forbidden',
  [HttpStatus.NOT_FOUND]: 'not_found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'not_found',
  [HttpStatus.CONFLICT]: 'conflict',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'payload_too_large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'validation_failed',
  [HttpStatus.TOO_MANY_REQUESTS]: 'rate_limited',
};

/** Room for a stack's frames; its first line is the error's message, which may quote the caller. */
const STACK_LOG_MAX = 8_192;

const MESSAGE_BY_CODE: Partial<Record<ApiErrorCode, string>> = {
  payload_too_large: 'The request body is too large',
  rate_limited: 'Too many attempts; try again later',
};

/**
 * Turns what Nest, Fastify and the libraries throw (an unknown route, a body over the limit, bad
 * JSON, the throttler) into an `ApiException`; `undefined` for anything unexpected.
 */
export function toApiException(exception: unknown): ApiException | undefined {
  if (exception instanceof ApiException) return exception;
  if (!(exception instanceof HttpException)) return undefined;
  const status = exception.getStatus();
  const code = CODE_BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'validation_failed' : undefined);
  if (code === undefined) return undefined;
  return new ApiException(code, MESSAGE_BY_CODE[code] ?? exception.message, { cause: exception });
}

/** Node's error for a request whose connection closed while its body was being read. */
function isCallerGone(exception: unknown, request: FastifyRequest): boolean {
  return (exception as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET' && request.raw.destroyed;
}

/**
 * The last resort: anything no other filter took. Known framework errors get their code; the rest
 * answers 500 `internal` with the request id, and the cause is logged (never sent).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const known = toApiException(exception);
    if (known) {
      sendApiException(known, host);
      return;
    }
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (isCallerGone(exception, request)) {
      // Nobody to answer, and nothing wrong here: a client that hung up halfway through its body.
      this.logger.debug(
        `${request.method} ${boundForLog(request.url)}: the caller left before its body ended`,
      );
      return;
    }
    // The URL, and the message of an error raised on a caller's input, may carry what the caller sent.
    this.logger.error(
      `Unhandled error on ${request.method} ${request.routeOptions?.url ?? boundForLog(request.url)} (request ${String(request.id)})`,
      boundForLog(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
        STACK_LOG_MAX,
      ),
    );
    sendApiException(new ApiException('internal', 'Something went wrong on our side'), host);
  }
}
