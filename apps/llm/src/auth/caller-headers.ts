import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
export const USER_HEADER = 'x-sluice-user';

/** Short and printable: safe to log, to pass upstream as a header and to put in a metric. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Printable ASCII without spaces, like an id or an e-mail address. */
const USER_ID = /^[\x21-\x7e]{1,128}$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Fastify's `genReqId`: the caller's `x-request-id` when it looks like an id, else a new UUID. */
export function requestIdFor(request: { headers: IncomingHttpHeaders }): string {
  const given = single(request.headers[REQUEST_ID_HEADER]);
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

export type UserIdResult = { ok: true; userId: string | undefined } | { ok: false };

/** The end user the caller acts for; a malformed one is refused, never silently dropped. */
export function userIdFrom(headers: IncomingHttpHeaders): UserIdResult {
  const given = single(headers[USER_HEADER]);
  if (given === undefined || given === '') return { ok: true, userId: undefined };
  return USER_ID.test(given) ? { ok: true, userId: given } : { ok: false };
}

export function isValidUserId(value: string): boolean {
  return USER_ID.test(value);
}
