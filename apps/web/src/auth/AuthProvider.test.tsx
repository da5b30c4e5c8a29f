import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../app/App';
import { fakeApi, USER } from '../test-support/fake-api';
import { jsonResponse } from '../test-support/sse';

const renewed = () =>
  jsonResponse({ accessToken: 'from-cookie', tokenType: 'Bearer', expiresIn: 900, user: USER });

describe('AuthProvider', () => {
  it('on load, signs the user back in through the refresh cookie; nothing is read from storage', async () => {
    window.location.hash = '#/';
    window.localStorage.setItem('sluice.session', JSON.stringify({ accessToken: 'old', user: USER }));
    const api = fakeApi({ 'POST /api/auth/refresh': renewed });
    render(<App fetch={api.fetch} />);
    expect(screen.getByRole('status').textContent).toContain('Signing you in');

    await screen.findByRole('textbox', { name: 'Message' });
    await waitFor(() => expect(api.calls('GET', '/api/conversations')).toHaveLength(1));
    expect(api.sent('GET', '/api/conversations').headers).toMatchObject({
      authorization: 'Bearer from-cookie',
    });
    // The token a version before kept in localStorage is gone, and was never sent.
    expect(window.localStorage.getItem('sluice.session')).toBeNull();
    expect(api.fetch.mock.calls.some(([, init]) => JSON.stringify(init.headers).includes('old'))).toBe(false);
  });

  it('without a refresh cookie, opens the sign-in screen', async () => {
    window.location.hash = '#/';
    const api = fakeApi();
    render(<App fetch={api.fetch} />);
    await screen.findByRole('heading', { name: 'Sign in to Sluice' });
    expect(api.calls('POST', '/api/auth/refresh')).toHaveLength(1);
  });

  it('sign out ends the session on the server too', async () => {
    window.location.hash = '#/';
    const api = fakeApi({ 'POST /api/auth/refresh': renewed });
    render(<App fetch={api.fetch} />);
    await screen.findByRole('textbox', { name: 'Message' });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('heading', { name: 'Sign in to Sluice' });
    expect(api.sent('POST', '/api/auth/logout').headers).toMatchObject({
      authorization: 'Bearer from-cookie',
    });
  });
});
