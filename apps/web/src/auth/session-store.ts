import type { User } from '@sluice/contracts';

/**
 * A signed-in session as the app holds it: in memory only. The access token lives minutes and no
 * storage a script could read ever holds it; a reload gets a new one through the refresh cookie
 * (HttpOnly, sent only to `POST /api/auth/refresh`).
 */
export interface Session {
  accessToken: string;
  user: User;
  /** Lifetime of the access token, seconds (renewed before it runs out). */
  expiresIn?: number;
}

/** Earlier versions kept the session in localStorage: a reload after the upgrade removes it. */
export function forgetStoredSession(): void {
  try {
    window.localStorage.removeItem('sluice.session');
  } catch {
    // Storage disabled: nothing was stored.
  }
}
