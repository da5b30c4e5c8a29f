import { hash, randomBytes } from 'node:crypto';

/** 32 random bytes, URL-safe: what the refresh cookie carries. Only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 is enough here: the token is random and long, nothing to slow a guesser down for. */
export function hashRefreshToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/** A cookie value can be anything: only ours (43 base64url characters) is looked up. */
export function isRefreshTokenShaped(value: string | undefined): value is string {
  return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value);
}
