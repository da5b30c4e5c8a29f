import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../app/App';
import { fakeApi, type Handler, SESSION } from '../test-support/fake-api';
import { errorResponse, jsonResponse } from '../test-support/sse';

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1';

const session = (id: string, userAgent: string, current: boolean) => ({
  id: `00000000-0000-4000-8000-00000000000${id}`,
  userAgent,
  createdAt: '2026-11-01T10:00:00.000Z',
  lastUsedAt: '2026-12-01T10:00:00.000Z',
  expiresAt: '2026-12-15T10:00:00.000Z',
  current,
});

function renderAccount(handlers: Record<string, Handler> = {}) {
  window.location.hash = '#/account';
  const api = fakeApi(handlers);
  render(<App fetch={api.fetch} initialSession={SESSION} />);
  return { api, user: userEvent.setup() };
}

describe('AccountView', () => {
  it('lists where the user is signed in and signs another device out', async () => {
    let sessions = [session('1', CHROME, true), session('2', IPHONE, false)];
    const { api, user } = renderAccount({
      'GET /api/auth/sessions': () => jsonResponse({ items: sessions }),
      'DELETE /api/auth/sessions/:id': ({ url }) => {
        sessions = sessions.filter((s) => !url.pathname.endsWith(s.id));
        return new Response(null, { status: 204 });
      },
    });
    const list = await screen.findByRole('list', { name: 'Your sessions' });
    expect(within(list).getByText('Chrome on Linux')).toBeTruthy();
    expect(within(list).getByText(/This browser/)).toBeTruthy();
    await user.click(within(list).getByRole('button', { name: 'Sign out Safari on iOS' }));
    await waitFor(() => expect(screen.queryByText('Safari on iOS')).toBeNull());
    expect(api.calls('DELETE', `/api/auth/sessions/${session('2', IPHONE, false).id}`)).toHaveLength(1);
  });

  it('changes the password, and says which field is wrong when it is refused', async () => {
    let attempts = 0;
    const { api, user } = renderAccount({
      'GET /api/auth/sessions': () => jsonResponse({ items: [session('1', CHROME, true)] }),
      'POST /api/auth/password': () =>
        ++attempts === 1
          ? errorResponse(403, 'wrong_password', 'That password is not right')
          : new Response(null, { status: 204 }),
    });
    await user.type(await screen.findByLabelText('Current password'), 'not it');
    await user.type(screen.getByLabelText('New password'), 'a brand new passphrase 77');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByText('That is not your password')).id).toBe('current-password-error');

    await user.clear(screen.getByLabelText('Current password'));
    await user.type(screen.getByLabelText('Current password'), 'the right one');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await screen.findByText('Password changed. Every other session is signed out.');
    expect(api.sentBody('POST', '/api/auth/password', 1)).toEqual({
      currentPassword: 'the right one',
      newPassword: 'a brand new passphrase 77',
    });
  });

  it('refuses a weak new password before sending it, with the reason and the strength', async () => {
    const { api, user } = renderAccount({
      'GET /api/auth/sessions': () => jsonResponse({ items: [session('1', CHROME, true)] }),
    });
    await user.type(await screen.findByLabelText('Current password'), 'the right one');
    await user.type(screen.getByLabelText('New password'), 'password');
    await screen.findByText(/Strength: very weak/);
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByText(/too easy to guess/)).id).toBe('new-password-error');
    expect(api.calls('POST', '/api/auth/password')).toHaveLength(0);
  });

  it('deletes the account with the password, then shows the sign-in screen', async () => {
    const { api, user } = renderAccount({
      'GET /api/auth/sessions': () => jsonResponse({ items: [session('1', CHROME, true)] }),
      'DELETE /api/auth/me': () => new Response(null, { status: 204 }),
    });
    const button = await screen.findByRole('button', { name: 'Delete my account' });
    expect(button).toHaveProperty('disabled', true);
    await user.type(screen.getByLabelText('Your password'), 'my password');
    await user.click(button);
    await screen.findByRole('heading', { name: 'Sign in to Sluice' });
    expect(api.sentBody('DELETE', '/api/auth/me')).toEqual({ password: 'my password' });
  });
});
