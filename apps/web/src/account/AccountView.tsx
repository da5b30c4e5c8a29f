import type { AuthSession } from '@sluice/contracts';
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, isAbortError } from '../api/api-error';
import { useAuth } from '../auth/AuthProvider';
import { newPasswordProblem, PasswordStrength, usePasswordRules } from '../auth/password-strength';
import { ErrorNotice } from '../ui/ErrorNotice';
import { describeUserAgent } from './user-agent';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const WRONG_PASSWORD = 'That is not your password';

const asApiError = (caught: unknown) => (caught instanceof ApiError ? caught : ApiError.network(caught));

/** The signed-in user's account: where they are signed in, their password, and leaving for good. */
export function AccountView() {
  const { user } = useAuth();
  return (
    <div className="account">
      <h1 className="account__title">Your account</h1>
      <p className="account__email">{user?.email}</p>
      <SessionsSection />
      <PasswordSection />
      <DeleteAccountSection />
    </div>
  );
}

function SessionsSection() {
  const { api } = useAuth();
  const [sessions, setSessions] = useState<AuthSession[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    api
      .listSessions(controller.signal)
      .then((list) => {
        setSessions(list.items);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!isAbortError(caught)) setError(asApiError(caught));
      });
    return () => controller.abort();
  }, [api, reload]);

  const end = useCallback(
    async (ids: string[]) => {
      try {
        for (const id of ids) await api.endSession(id);
      } catch (caught) {
        setError(asApiError(caught));
      }
      setReload((n) => n + 1);
    },
    [api],
  );

  const others = sessions?.filter((session) => !session.current) ?? [];
  return (
    <section className="account__section" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      {error ? <ErrorNotice code={error.code} requestId={error.requestId} /> : null}
      {sessions === null ? (
        <p className="account__muted">Loading…</p>
      ) : (
        <ul className="sessions" aria-label="Your sessions">
          {sessions.map((session) => (
            <li key={session.id} className="sessions__item">
              <span className="sessions__device">{describeUserAgent(session.userAgent)}</span>
              <span className="sessions__meta">
                {session.current ? 'This browser' : `Last used ${when.format(new Date(session.lastUsedAt))}`}{' '}
                · signed in {when.format(new Date(session.createdAt))}
              </span>
              {session.current ? null : (
                <button
                  type="button"
                  className="button button--ghost button--small"
                  aria-label={`Sign out ${describeUserAgent(session.userAgent)}`}
                  onClick={() => void end([session.id])}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 1 ? (
        <button
          type="button"
          className="button button--secondary"
          onClick={() => void end(others.map((session) => session.id))}
        >
          Sign out everywhere else
        </button>
      ) : null}
    </section>
  );
}

function PasswordSection() {
  const { api, user } = useAuth();
  const email = user?.email ?? '';
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [weak, setWeak] = useState<string | undefined>(undefined);
  const [done, setDone] = useState(false);
  const rules = usePasswordRules(true);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(false);
    // The rule the API applies, checked here first.
    const problem = await newPasswordProblem(rules, newPassword, email);
    setWeak(problem);
    if (problem !== undefined) return;
    setBusy(true);
    try {
      await api.changePassword({ currentPassword, newPassword });
      setCurrentPassword('');
      setNewPassword('');
      setDone(true);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  const issueOf = (field: string) =>
    (field === 'newPassword' ? weak : undefined) ??
    error?.issues.find((issue) => issue.path === field)?.message ??
    (field === 'currentPassword' && error?.code === 'wrong_password' ? WRONG_PASSWORD : undefined);
  return (
    <section className="account__section" aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      <form className="account__form" onSubmit={(event) => void submit(event)} noValidate>
        <PasswordField
          id="current-password"
          label="Current password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={setCurrentPassword}
          error={issueOf('currentPassword')}
        />
        <PasswordField
          id="new-password"
          label="New password"
          autoComplete="new-password"
          value={newPassword}
          onChange={setNewPassword}
          error={issueOf('newPassword')}
        >
          <PasswordStrength id="new-password" password={newPassword} email={email} rules={rules} />
        </PasswordField>
        {error && error.code !== 'wrong_password' && error.code !== 'validation_failed' ? (
          <ErrorNotice code={error.code} requestId={error.requestId} />
        ) : null}
        {done ? (
          <p className="notice notice--info" role="status">
            Password changed. Every other session is signed out.
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={busy}>
          Change password
        </button>
      </form>
    </section>
  );
}

function DeleteAccountSection() {
  const { api, signOut } = useAuth();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.deleteAccount({ password });
      signOut('expired');
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(false);
    }
  };

  return (
    <section className="account__section" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete your account</h2>
      <p className="account__muted">
        Your conversations, their answers and your usage are deleted with it. This cannot be undone.
      </p>
      <form className="account__form" onSubmit={(event) => void submit(event)} noValidate>
        <PasswordField
          id="delete-password"
          label="Your password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={error?.code === 'wrong_password' ? WRONG_PASSWORD : undefined}
        />
        {error && error.code !== 'wrong_password' ? (
          <ErrorNotice code={error.code} requestId={error.requestId} />
        ) : null}
        <button type="submit" className="button button--danger" disabled={busy || password === ''}>
          Delete my account
        </button>
      </form>
    </section>
  );
}

interface PasswordFieldProps {
  id: string;
  /** Shown under the input and named by its `aria-describedby` (`${id}-hint`, `${id}-strength`). */
  children?: ReactNode;
  label: string;
  autoComplete: 'current-password' | 'new-password';
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}

function PasswordField({ id, children, label, autoComplete, value, onChange, error }: PasswordFieldProps) {
  const describedBy = [error === undefined ? '' : `${id}-error`, children ? `${id}-hint ${id}-strength` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        autoComplete={autoComplete}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy || undefined}
      />
      {children}
      {error === undefined ? null : (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      )}
    </div>
  );
}
