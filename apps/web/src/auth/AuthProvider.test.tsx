import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../app/App';
import { fakeApi, USER } from '../test-support/fake-api';
import { errorResponse, jsonResponse } from '../test-support/sse';

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

  it('sign out with an access token that ran out still ends the session, and never signs back in', async () => {
    window.location.hash = '#/';
    let renewals = 0;
    const api = fakeApi({
      'POST /api/auth/refresh': () =>
        jsonResponse({
          accessToken: `from-cookie-${++renewals}`,
          tokenType: 'Bearer',
          expiresIn: 900,
          user: USER,
        }),
      'POST /api/auth/logout': ({ init }) =>
        JSON.stringify(init.headers).includes('from-cookie-1')
          ? errorResponse(401, 'unauthorized', 'The access token has expired')
          : new Response(null, { status: 204 }),
    });
    render(<App fetch={api.fetch} />);
    await screen.findByRole('textbox', { name: 'Message' });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('heading', { name: 'Sign in to Sluice' });
    await waitFor(() => expect(api.calls('POST', '/api/auth/logout')).toHaveLength(2));
    expect(api.sent('POST', '/api/auth/logout', 1).headers).toMatchObject({
      authorization: 'Bearer from-cookie-2',
    });
    // Still on the sign-in screen: the renewal made for the sign-out did not open the app again.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.getByRole('heading', { name: 'Sign in to Sluice' })).toBeTruthy();
  });
});
