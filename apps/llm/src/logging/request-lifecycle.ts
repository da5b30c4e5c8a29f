import type { FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTES } from '../auth/auth.hook';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import type { Outcome } from '../openai/openai-error';
import type { RequestContext } from './request-context';

/**
 * The first `onRequest` hook: gives the request its context and, when the response closes (sent,
 * streamed to the end, or cut by the client), writes the one log line of the request and records
 * its metrics. The line carries ids, model, outcome, timings and token counts, never a header; the
 * prompt only with LLM_LOG_PROMPTS=true.
 */
export function createLifecycleHook(metrics: GatewayMetrics) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    request.sluice = { requestId: request.id, startedAt: performance.now(), call: {} };
    void reply.header('x-request-id', request.id);
    reply.raw.once('close', () => complete(request, reply, metrics));
  };
}

function complete(request: FastifyRequest, reply: FastifyReply, metrics: GatewayMetrics): void {
  const ctx: RequestContext = request.sluice;
  const call = ctx.call;
  const res = reply.raw;
  const durationMs = performance.now() - ctx.startedAt;
  const finished = res.writableFinished || call.failedMidStream === true;
  const status = finished ? res.statusCode : 499;
  const outcome: Outcome = call.outcome ?? (finished ? outcomeOfStatus(status) : 'aborted');
  const ttftMs = call.firstTokenAt === undefined ? undefined : call.firstTokenAt - ctx.startedAt;

  if (call.endpoint === 'chat_completions' || call.endpoint === 'embeddings') {
    metrics.record({
      endpoint: call.endpoint,
      model: call.model,
      provider: call.provider,
      outcome,
      durationSeconds: durationMs / 1000,
      ...(ttftMs === undefined ? {} : { ttftSeconds: ttftMs / 1000 }),
      ...(call.usage ? { usage: call.usage } : {}),
    });
  }

  const route = request.routeOptions.url;
  const line = {
    method: request.method,
    route: route ?? 'unmatched',
    status,
    outcome,
    userId: ctx.userId,
    endpoint: call.endpoint,
    stream: call.stream,
    model: call.model,
    provider: call.provider,
    finishReason: call.finishReason,
    ttftMs: ttftMs === undefined ? undefined : Math.round(ttftMs),
    durationMs: Math.round(durationMs),
    promptTokens: call.usage?.promptTokens,
    completionTokens: call.usage?.completionTokens,
    error: call.error,
    prompt: call.prompt,
  };
  if (route !== undefined && PUBLIC_ROUTES.has(route)) request.log.debug(line, 'request completed');
  else if (status >= 500) request.log.warn(line, 'request completed');
  else request.log.info(line, 'request completed');
}

function outcomeOfStatus(status: number): Outcome {
  if (status < 400) return 'ok';
  if (status === 401) return 'unauthorized';
  return status < 500 ? 'bad_request' : 'internal';
}
