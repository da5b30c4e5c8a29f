import { useEffect } from 'react';
import { AuthProvider, type AuthProviderProps, useAuth } from '../auth/AuthProvider';
import { AuthScreen } from '../auth/AuthScreen';
import { navigate, useRoute } from './router';
import { Shell } from './Shell';

function Screens() {
  const { user, restoring } = useAuth();
  const route = useRoute();
  const onAuthScreen = route.name === 'sign-in' || route.name === 'sign-up';

  // Signed in on a sign-in address: to the app. Signed out anywhere else: to sign in.
  useEffect(() => {
    if (restoring) return;
    if (user !== null && onAuthScreen) navigate({ name: 'new-chat' }, { replace: true });
    if (user === null && !onAuthScreen) navigate({ name: 'sign-in' }, { replace: true });
  }, [user, restoring, onAuthScreen]);

  if (restoring) {
    return (
      <p className="restoring" role="status">
        Signing you in…
      </p>
    );
  }
  if (user === null) {
    const mode = route.name === 'sign-up' ? 'sign-up' : 'sign-in';
    return <AuthScreen key={mode} mode={mode} />;
  }
  return (
    <Shell
      view={route.name === 'account' ? 'account' : 'chat'}
      conversationId={route.name === 'conversation' ? route.id : null}
    />
  );
}

export function App(props: Omit<AuthProviderProps, 'children'>) {
  return (
    <AuthProvider {...props}>
      <Screens />
    </AuthProvider>
  );
}
