import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { ApiErrorCode, ErrorResponse } from '@sluice/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiException } from './api.exception';

/** Every error code has exactly one HTTP status (the compiler checks that the map is exhaustive). */
export const HTTP_STATUS_BY_CODE: Record<ApiErrorCode, HttpStatus> = {
  validation_failed: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  wrong_password: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  too_many_streams: HttpStatus.TOO_MANY_REQUESTS,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  llm_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  llm_timeout: HttpStatus.GATEWAY_TIMEOUT,
  model_not_found: HttpStatus.NOT_FOUND,
  context_length_exceeded: HttpStatus.BAD_REQUEST,
  llm_bad_request: HttpStatus.BAD_REQUEST,
  llm_error: HttpStatus.BAD_GATEWAY,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
};

export function errorBody(exception: ApiException, requestId: string): ErrorResponse {
  return {
    error: {
      code: exception.code,
      message: exception.message,
      ...(exception.details === undefined ? {} : { details: exception.details }),
    },
    requestId,
  };
}

/** Writes an `ApiException` as the one error shape, unless a response (or a stream) already started. */
export function sendApiException(exception: ApiException, host: ArgumentsHost): void {
  const http = host.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();
  if (reply.sent || reply.raw.headersSent) return;
  void reply
    .status(HTTP_STATUS_BY_CODE[exception.code])
    .headers(exception.headers)
    .header('cache-control', 'no-store')
    .send(errorBody(exception, String(request.id)));
}

@Catch(ApiException)
export class ApiExceptionFilter implements ExceptionFilter<ApiException> {
  catch(exception: ApiException, host: ArgumentsHost): void {
    sendApiException(exception, host);
  }
}
