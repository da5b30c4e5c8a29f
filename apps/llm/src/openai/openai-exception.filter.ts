import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';
import { noteFailure } from './call-labels';
import { OpenAiHttpError, toOpenAiError } from './openai-error';

/**
 * Every error the gateway answers, in OpenAI's shape `{"error":{message,type,param,code}}`: the
 * library's errors by code, Nest's and Fastify's HTTP errors (unknown route, body too large, bad
 * JSON) by status, and anything else as a 500 that names the request id and is logged with its cause.
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const error = this.toError(exception, request);
    const call = request.sluice?.call;
    if (call) {
      call.outcome ??= error.outcome;
      noteFailure(call, exception);
    }
    // The client went away, or a stream already answered: nothing left to send.
    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
    void reply.code(error.status).headers(error.headers).send(error.toBody());
  }

  private toError(exception: unknown, request: FastifyRequest): OpenAiHttpError {
    const known = toOpenAiError(exception, {
      requestId: request.id,
      maxRetryAfterMs: this.config.llm.resilience.backoff.maxRetryAfterMs,
    });
    if (known) return known;
    const status = httpStatusOf(exception);
    if (status !== undefined && status < 500) {
      return new OpenAiHttpError({
        status,
        message:
          status === 404
            ? `Unknown route: ${request.method} ${request.url.split('?')[0] ?? ''}`
            : (exception as Error).message,
        type: 'invalid_request_error',
        code: status === 404 ? 'unknown_url' : null,
        outcome: 'bad_request',
      });
    }
    request.log.error({ err: exception }, 'unhandled error');
    return new OpenAiHttpError({
      status: 500,
      message: `The gateway failed to handle the request (request id ${request.id}).`,
      type: 'server_error',
      outcome: 'internal',
    });
  }
}

function httpStatusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}
