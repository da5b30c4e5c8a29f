import type { AuthResponse, LoginBody, RegisterBody, User } from '@sluice/contracts';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiClient, type ApiClientOptions } from '../api/api-client';
import { forgetStoredSession, type Session } from './session-store';

export type SignOutReason = 'signed_out' | 'expired';

interface AuthContextValue {
  user: User | null;
  /** True until the refresh cookie has been tried on load (the app shows neither screen yet). */
  restoring: boolean;
  api: ApiClient;
  /** Why the last session ended (to say so on the sign-in screen). */
  signedOutReason: SignOutReason | null;
  signIn: (body: LoginBody) => Promise<void>;
  signUp: (body: RegisterBody) => Promise<void>;
  signOut: (reason?: SignOutReason) => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export interface AuthProviderProps {
  children: ReactNode;
  /** Tests pass their own fetch. */
  fetch?: ApiClientOptions['fetch'];
  /** Tests start signed in (or out) without the refresh call. */
  initialSession?: Session | null;
}

/** Renew the access token when this share of its lifetime has passed. */
const RENEW_AT = 0.8;

const sessionOf = (answer: AuthResponse): Session => ({
  accessToken: answer.accessToken,
  user: answer.user,
  expiresIn: answer.expiresIn,
});

/**
 * Holds the session in memory and the API client. On load the refresh cookie buys an access token
 * (a reload keeps the user signed in); the token is renewed before it expires, and again on a 401;
 * when renewing fails the user is signed out.
 */
export function AuthProvider({ children, fetch, initialSession }: AuthProviderProps) {
  const [session, setSession] = useState<Session | null>(initialSession ?? null);
  const [restoring, setRestoring] = useState(initialSession === undefined);
  const [signedOutReason, setSignedOutReason] = useState<SignOutReason | null>(null);
  const tokenRef = useRef<string | null>(session?.accessToken ?? null);
  // Set when a session ends here: a renewal still in flight must not sign the user back in.
  const endedRef = useRef(false);

  const update = useCallback((next: Session | null) => {
    tokenRef.current = next?.accessToken ?? null;
    setSession(next);
  }, []);

  const endSession = useCallback(
    (reason: SignOutReason) => {
      if (tokenRef.current === null) return;
      endedRef.current = true;
      update(null);
      setSignedOutReason(reason);
    },
    [update],
  );

  const api = useMemo(
    () =>
      new ApiClient({
        getToken: () => tokenRef.current,
        onRenewed: (answer) => {
          if (!endedRef.current) update(sessionOf(answer));
        },
        onUnauthorized: () => endSession('expired'),
        ...(fetch === undefined ? {} : { fetch }),
      }),
    [fetch, update, endSession],
  );

  const signOut = useCallback(
    (reason: SignOutReason = 'signed_out') => {
      // The server ends the session (and clears the cookie); the app forgets it at once either way.
      if (reason === 'signed_out' && tokenRef.current !== null) {
        api
          .logout()
          .catch((error: unknown) => console.warn('Could not end the session on the server', error));
      }
      endSession(reason);
    },
    [api, endSession],
  );

  /** Sign-in and sign-up answer the same: a session that starts here. */
  const begin = useCallback(
    async (answer: Promise<AuthResponse>) => {
      const session = sessionOf(await answer);
      endedRef.current = false;
      setSignedOutReason(null);
      update(session);
    },
    [update],
  );
  const signIn = useCallback((body: LoginBody) => begin(api.login(body)), [api, begin]);
  const signUp = useCallback((body: RegisterBody) => begin(api.register(body)), [api, begin]);

  // On load: the refresh cookie, if there is one, signs the user back in.
  useEffect(() => {
    if (!restoring) return;
    forgetStoredSession();
    let current = true;
    api
      .renewSession()
      .catch((error: unknown) => console.warn('Could not restore the session', error))
      .finally(() => current && setRestoring(false));
    return () => {
      current = false;
    };
  }, [api, restoring]);

  // Renewed ahead of its expiry, so a call rarely meets an expired token.
  const expiresIn = session?.expiresIn;
  useEffect(() => {
    if (expiresIn === undefined) return;
    const timer = setTimeout(
      () => void api.renewSession().catch(() => undefined),
      Math.max(5_000, expiresIn * 1000 * RENEW_AT),
    );
    return () => clearTimeout(timer);
  }, [api, session, expiresIn]);

  const value = useMemo<AuthContextValue>(
    () => ({ user: session?.user ?? null, restoring, api, signedOutReason, signIn, signUp, signOut }),
    [session, restoring, api, signedOutReason, signIn, signUp, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}

export function useApi(): ApiClient {
  return useAuth().api;
}
