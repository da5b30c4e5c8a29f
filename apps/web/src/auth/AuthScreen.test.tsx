import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../app/App';
import { fakeApi, type Handler, USER } from '../test-support/fake-api';
import { errorResponse, jsonResponse } from '../test-support/sse';

function renderAuth(route: '#/sign-in' | '#/sign-up', handlers: Record<string, Handler> = {}) {
  window.location.hash = route;
  const api = fakeApi(handlers);
  render(<App fetch={api.fetch} initialSession={null} />);
  return { api, user: userEvent.setup() };
}

const tokenAnswer = () =>
  jsonResponse({ accessToken: 'new-token', tokenType: 'Bearer', expiresIn: 3600, user: USER }, 201);

describe('AuthScreen', () => {
  it('signs up, keeps the session and opens the app', async () => {
    const { api, user } = renderAuth('#/sign-up', { 'POST /api/auth/register': tokenAnswer });
    await user.type(screen.getByLabelText('Email'), ' Ada@Example.com ');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    await screen.findByRole('textbox', { name: 'Message' });
    expect(api.sentBody('POST', '/api/auth/register')).toEqual({
      email: 'ada@example.com',
      password: 'correct horse battery staple',
    });
    // The token stays in memory: nothing a script on the page could read holds it.
    expect(window.localStorage.length).toBe(0);
    expect(window.location.hash).toBe('#/');
    // The calls after sign-in carry the token.
    await waitFor(() => expect(api.calls('GET', '/api/conversations')).toHaveLength(1));
    expect(api.sent('GET', '/api/conversations').headers).toMatchObject({
      authorization: 'Bearer new-token',
    });
  });

  it('checks the fields before sending, with the rules of the API', async () => {
    const { api, user } = renderAuth('#/sign-up');
    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(screen.getByText('Email must be a valid email address')).toBeTruthy();
    expect(screen.getByText('Password must be at least 8 characters')).toBeTruthy();
    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(screen.getByLabelText('Email'));
    expect(api.calls('POST', '/api/auth/register')).toHaveLength(0);
  });

  it('shows the rule and the strength as the user types, and refuses a weak password with the reason', async () => {
    const { api, user } = renderAuth('#/sign-up');
    expect(screen.getByText(/At least 8 characters and hard to guess/)).toBeTruthy();
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    const password = screen.getByLabelText('Password');
    await user.type(password, 'password');

    const strength = await screen.findByText('Strength: very weak (not enough)', {}, { timeout: 5_000 });
    expect(strength.getAttribute('aria-live')).toBe('polite');
    expect(password.getAttribute('aria-describedby')).toContain(strength.id);
    expect(screen.getByRole('meter').getAttribute('aria-valuenow') ?? '0').toBe('0');

    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(
      await screen.findByText(
        'Password is too easy to guess: This is a heavily used password. Add more words that are less common.',
      ),
    ).toBeTruthy();
    expect(document.activeElement).toBe(password);
    expect(api.calls('POST', '/api/auth/register')).toHaveLength(0);

    await user.clear(password);
    await user.type(password, 'ada ate plum lava cakes');
    expect(await screen.findByText(/^Strength: (strong|very strong)$/)).toBeTruthy();
  });

  it("counts the email's name as guessable", async () => {
    const { api, user } = renderAuth('#/sign-up');
    await user.type(screen.getByLabelText('Email'), 'margarethamilton@example.com');
    await user.type(screen.getByLabelText('Password'), 'margarethamilton1936');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText(/^Password is too easy to guess/, {}, { timeout: 5_000 })).toBeTruthy();
    expect(api.calls('POST', '/api/auth/register')).toHaveLength(0);
  });

  it("shows the server's validation details next to their fields", async () => {
    const { user } = renderAuth('#/sign-up', {
      'POST /api/auth/register': () =>
        errorResponse(400, 'validation_failed', 'Invalid request: password: is too common', {
          details: [
            { path: 'password', message: 'is too common' },
            { path: '', message: 'the request looks automated' },
          ],
        }),
    });
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'a long and odd passphrase');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    const fieldError = await screen.findByText('Password is too common');
    expect(screen.getByLabelText('Password').getAttribute('aria-describedby')).toContain(fieldError.id);
    expect(screen.getByRole('alert').textContent).toContain('the request looks automated');
    expect(document.activeElement).toBe(screen.getByLabelText('Password'));
  });

  it('says a wrong password is wrong (a 401 here is not a session ending)', async () => {
    const { user } = renderAuth('#/sign-in', {
      'POST /api/auth/login': () => errorResponse(401, 'unauthorized', 'Invalid email or password'),
    });
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The email or the password is wrong.');
    expect(screen.queryByText(/Your session ended/)).toBeNull();
  });

  it('says when an email is taken, and when to try again after too many attempts', async () => {
    let attempts = 0;
    const { user } = renderAuth('#/sign-up', {
      'POST /api/auth/register': () => {
        attempts += 1;
        return attempts === 1
          ? errorResponse(409, 'conflict', 'Email already registered')
          : errorResponse(429, 'rate_limited', 'Too many attempts', { headers: { 'retry-after': '30' } });
      },
    });
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect((await screen.findByRole('alert')).textContent).toContain('already exists');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('Too many attempts. Try again in 30 s.'),
    );
  });
});
