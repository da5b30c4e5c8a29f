import { loginBodySchema, registerBodySchema, type ValidationIssue } from '@sluice/contracts';
import { type FormEvent, useId, useRef, useState } from 'react';
import { ApiError } from '../api/api-error';
import { hrefOf } from '../app/router';
import { describeError } from '../api/describe-error';
import { useAuth } from './AuthProvider';
import { newPasswordProblem, PasswordStrength, usePasswordRules } from './password-strength';

export type AuthMode = 'sign-in' | 'sign-up';

type Field = 'email' | 'password';
type FieldErrors = Partial<Record<Field, string>>;

interface FormProblem {
  fields: FieldErrors;
  /** Problems not tied to one field, or the failure of the request itself. */
  error?: ApiError;
  issues: ValidationIssue[];
}

function fieldErrorsOf(issues: ValidationIssue[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path.split('.')[0];
    if ((field === 'email' || field === 'password') && fields[field] === undefined)
      fields[field] = issue.message;
  }
  return fields;
}

/** The sentence for a failed sign-in or sign-up; `undefined` when the field errors say it all. */
function formMessage(problem: FormProblem): string | undefined {
  const { error, issues } = problem;
  if (error === undefined) return undefined;
  switch (error.code) {
    case 'unauthorized':
      return 'The email or the password is wrong.';
    case 'conflict':
      return 'An account with this email already exists. Sign in instead.';
    case 'rate_limited':
      return error.retryAfterSeconds === undefined
        ? 'Too many attempts. Wait a moment, then try again.'
        : `Too many attempts. Try again in ${error.retryAfterSeconds} s.`;
    case 'validation_failed':
      return issues.length > 0 ? undefined : error.message;
    default: {
      const { title, hint } = describeError(error.code);
      return `${title} ${hint}`;
    }
  }
}

export function AuthScreen({ mode }: { mode: AuthMode }) {
  const { signIn, signUp, signedOutReason } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const signingUp = mode === 'sign-up';
  const rules = usePasswordRules(signingUp);

  const focusFirstInvalid = (fields: FieldErrors) => {
    if (fields.email) emailRef.current?.focus();
    else if (fields.password) passwordRef.current?.focus();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    // The same rules the API applies, checked here first for a faster answer.
    const checked = (signingUp ? registerBodySchema : loginBodySchema).safeParse({ email, password });
    if (!checked.success) {
      const issues = checked.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      const fields = fieldErrorsOf(issues);
      setProblem({ fields, issues });
      focusFirstInvalid(fields);
      return;
    }
    if (signingUp) {
      const weak = await newPasswordProblem(rules, password, checked.data.email);
      if (weak !== undefined) {
        setProblem({ fields: { password: weak }, issues: [{ path: 'password', message: weak }] });
        passwordRef.current?.focus();
        return;
      }
    }
    setBusy(true);
    setProblem(null);
    try {
      await (signingUp ? signUp(checked.data) : signIn(checked.data));
    } catch (error) {
      const apiError = error instanceof ApiError ? error : ApiError.network(error);
      const issues = apiError.issues;
      const fields = fieldErrorsOf(issues);
      setProblem({ fields, error: apiError, issues });
      focusFirstInvalid(fields);
      setBusy(false);
    }
  };

  const fields = problem?.fields ?? {};
  const otherIssues = (problem?.issues ?? []).filter(
    (issue) => !['email', 'password'].includes(issue.path.split('.')[0] ?? ''),
  );
  const errorText = problem ? formMessage(problem) : undefined;

  return (
    <main className="auth">
      <div className="auth__card">
        <p className="brand" aria-hidden="true">
          <span className="brand__mark" /> Sluice
        </p>
        <h1 className="auth__title">{signingUp ? 'Create your account' : 'Sign in to Sluice'}</h1>
        {signedOutReason === 'expired' && !problem ? (
          <p className="notice notice--info" role="status">
            Your session ended. Sign in again to continue.
          </p>
        ) : null}
        <form className="auth__form" noValidate onSubmit={(event) => void submit(event)} aria-busy={busy}>
          <div className="field">
            <label htmlFor={`${id}-email`}>Email</label>
            <input
              ref={emailRef}
              id={`${id}-email`}
              name="email"
              type="email"
              autoComplete="email"
              inputMode="email"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              aria-invalid={fields.email ? true : undefined}
              aria-describedby={fields.email ? `${id}-email-error` : undefined}
            />
            {fields.email ? (
              <p className="field__error" id={`${id}-email-error`}>
                Email {fields.email}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>Password</label>
            <input
              ref={passwordRef}
              id={`${id}-password`}
              name="password"
              type="password"
              autoComplete={signingUp ? 'new-password' : 'current-password'}
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={fields.password ? true : undefined}
              aria-describedby={
                [
                  fields.password ? `${id}-password-error` : '',
                  signingUp ? `${id}-password-hint ${id}-password-strength` : '',
                ]
                  .filter(Boolean)
                  .join(' ') || undefined
              }
            />
            {signingUp ? (
              <PasswordStrength id={`${id}-password`} password={password} email={email} rules={rules} />
            ) : null}
            {fields.password ? (
              <p className="field__error" id={`${id}-password-error`}>
                Password {fields.password}
              </p>
            ) : null}
          </div>
          {errorText !== undefined ? (
            <p className="notice notice--error" role="alert">
              {errorText}
            </p>
          ) : null}
          {otherIssues.length > 0 ? (
            <ul className="notice notice--error" role="alert">
              {otherIssues.map((issue) => (
                <li key={`${issue.path}:${issue.message}`}>
                  {issue.path ? `${issue.path}: ${issue.message}` : issue.message}
                </li>
              ))}
            </ul>
          ) : null}
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {busy
              ? signingUp
                ? 'Creating your account…'
                : 'Signing in…'
              : signingUp
                ? 'Create account'
                : 'Sign in'}
          </button>
        </form>
        <p className="auth__switch">
          {signingUp ? 'Already have an account? ' : 'New to Sluice? '}
          <a href={hrefOf({ name: signingUp ? 'sign-in' : 'sign-up' })}>
            {signingUp ? 'Sign in' : 'Create an account'}
          </a>
        </p>
      </div>
    </main>
  );
}
