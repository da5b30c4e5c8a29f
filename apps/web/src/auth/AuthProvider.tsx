import type { LoginBody, RegisterBody, User } from '@sluice/contracts';
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
import { isAbortError } from '../api/api-error';
import { loadSession, saveSession, type Session } from './session-store';

export type SignOutReason = 'signed_out' | 'expired';

interface AuthContextValue {
  user: User | null;
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
  initialSession?: Session | null;
}

/** Holds the session and the API client; any 401 on an authenticated call signs the user out. */
export function AuthProvider({ children, fetch, initialSession }: AuthProviderProps) {
  const [session, setSession] = useState<Session | null>(() =>
    initialSession === undefined ? loadSession() : initialSession,
  );
  const [signedOutReason, setSignedOutReason] = useState<SignOutReason | null>(null);
  const tokenRef = useRef<string | null>(session?.accessToken ?? null);

  const update = useCallback((next: Session | null) => {
    tokenRef.current = next?.accessToken ?? null;
    saveSession(next);
    setSession(next);
  }, []);

  const signOut = useCallback(
    (reason: SignOutReason = 'signed_out') => {
      if (tokenRef.current === null) return;
      update(null);
      setSignedOutReason(reason);
    },
    [update],
  );

  const api = useMemo(
    () =>
      new ApiClient({
        getToken: () => tokenRef.current,
        onUnauthorized: () => signOut('expired'),
        ...(fetch === undefined ? {} : { fetch }),
      }),
    [fetch, signOut],
  );

  const signIn = useCallback(
    async (body: LoginBody) => {
      const answer = await api.login(body);
      setSignedOutReason(null);
      update({ accessToken: answer.accessToken, user: answer.user });
    },
    [api, update],
  );

  const signUp = useCallback(
    async (body: RegisterBody) => {
      const answer = await api.register(body);
      setSignedOutReason(null);
      update({ accessToken: answer.accessToken, user: answer.user });
    },
    [api, update],
  );

  // A stored token may have expired or been revoked: check it once (a 401 signs out through the client).
  const hasSession = session !== null;
  useEffect(() => {
    if (!hasSession) return;
    const controller = new AbortController();
    api.me(controller.signal).catch((error: unknown) => {
      if (!isAbortError(error)) console.warn('Could not check the session', error);
    });
    return () => controller.abort();
  }, [api, hasSession]);

  const value = useMemo<AuthContextValue>(
    () => ({ user: session?.user ?? null, api, signedOutReason, signIn, signUp, signOut }),
    [session, api, signedOutReason, signIn, signUp, signOut],
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
