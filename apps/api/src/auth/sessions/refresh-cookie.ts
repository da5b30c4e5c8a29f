import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionSettings } from '../../config/api-config';

export const REFRESH_COOKIE = 'sluice_refresh';
/** The only route the browser sends the cookie to. */
export const REFRESH_PATH = '/api/auth/refresh';

/**
 * The refresh token lives in a cookie no script can read (`HttpOnly`), sent only to the refresh route
 * of this site (`Path`, `SameSite=Strict`), and only over HTTPS (`Secure`; browsers allow it on
 * localhost). It lasts as long as the session may.
 */
export function setRefreshCookie(reply: FastifyReply, token: string, settings: SessionSettings): void {
  void reply.setCookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    secure: settings.cookieSecure,
    sameSite: 'strict',
    path: REFRESH_PATH,
    maxAge: settings.idleTimeoutSeconds,
  });
}

export function clearRefreshCookie(reply: FastifyReply, settings: SessionSettings): void {
  void reply.clearCookie(REFRESH_COOKIE, {
    httpOnly: true,
    secure: settings.cookieSecure,
    sameSite: 'strict',
    path: REFRESH_PATH,
  });
}

export function readRefreshCookie(request: FastifyRequest): string | undefined {
  return request.cookies[REFRESH_COOKIE];
}
