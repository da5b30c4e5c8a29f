import type { FastifyReply, FastifyRequest } from 'fastify';
import { OpenAiHttpError } from '../openai/openai-error';
import { USER_HEADER, userIdFrom } from './caller-headers';
import { bearerToken, type TokenVerifier } from './token-verifier';

/** Routes anyone may call (probes and the scraper); every other route, unknown ones too, needs a token. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * The service-to-service check, as a Fastify `onRequest` hook: it runs before the body is read (a
 * caller without a token cannot make us parse 4 MiB), and it decides on the route Fastify matched,
 * so no spelling of a path (`//v1`, `%761`) slips past it.
 */
export function createAuthHook(verifier: TokenVerifier) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const route = request.routeOptions.url;
    if (route !== undefined && PUBLIC_ROUTES.has(route)) return;

    if (!verifier.open) {
      const token = bearerToken(request.headers.authorization);
      if (token === undefined || !verifier.verify(token)) {
        const error = OpenAiHttpError.unauthorized(
          token === undefined
            ? 'Missing bearer token: send Authorization: Bearer <gateway token>.'
            : 'Incorrect gateway token provided.',
        );
        request.sluice.call.outcome = error.outcome;
        await reply.code(error.status).header('www-authenticate', 'Bearer').send(error.toBody());
        return;
      }
    }

    const user = userIdFrom(request.headers);
    if (!user.ok) {
      const error = OpenAiHttpError.invalidRequest(
        `${USER_HEADER} must be 1 to 128 printable ASCII characters without spaces`,
        USER_HEADER,
      );
      request.sluice.call.outcome = error.outcome;
      await reply.code(error.status).send(error.toBody());
      return;
    }
    if (user.userId !== undefined) request.sluice.userId = user.userId;
  };
}
