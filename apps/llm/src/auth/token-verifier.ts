import { hash, timingSafeEqual } from 'node:crypto';

// One-shot (no Hash object per call): this runs on every request.
const digest = (value: string) => hash('sha256', value, 'buffer');

/**
 * Checks a presented bearer token against the accepted ones. Both sides are hashed first, so
 * `timingSafeEqual` compares equal lengths and the time taken says nothing about a token's length or
 * its first differing byte; every accepted token is compared, so it says nothing about which matched.
 */
export class TokenVerifier {
  private readonly accepted: Buffer[];

  constructor(tokens: readonly string[]) {
    this.accepted = tokens.map(digest);
  }

  /** No token configured: development with LLM_GATEWAY_ALLOW_NO_AUTH=true. */
  get open(): boolean {
    return this.accepted.length === 0;
  }

  verify(presented: string): boolean {
    const candidate = digest(presented);
    let match = false;
    for (const token of this.accepted) match = timingSafeEqual(candidate, token) || match;
    return match;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or `undefined`. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  return match?.[1];
}
