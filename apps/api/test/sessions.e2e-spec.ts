import type { AuthResponse, AuthSessionList, Conversation } from '@sluice/contracts';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { ApiClient, type ApiResponse, expectError, PASSWORD, uniqueEmail } from './support/api-client';
import { deadUrl } from './support/net';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';

const COOKIE = 'sluice_refresh';

/** One browser: its access token in memory, its refresh cookie as the server last set it. */
interface Browser {
  email: string;
  accessToken: string;
  refreshToken: string;
}

function refreshCookieOf(response: ApiResponse): { value: string; attributes: string } {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE}=`));
  if (line === undefined) throw new Error(`no ${COOKIE} cookie in ${response.status} answer`);
  const [pair, ...attributes] = line.split(';');
  return { value: pair!.slice(COOKIE.length + 1), attributes: attributes.join(';').trim() };
}

/**
 * Sessions as an attacker would try them, over real sockets: a stolen refresh token replayed after
 * the owner used it, an access token kept after logout or a password change, guesses at one account
 * from everywhere at once.
 */
describe('sessions (e2e)', () => {
  let t: TestApp;
  const anonymous = () => new ApiClient(t.url);
  const as = (browser: Browser) => new ApiClient(t.url, browser.accessToken);

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        OLLAMA_BASE_URL: await deadUrl(),
        ...(process.env['REDIS_URL'] ? { REDIS_URL: process.env['REDIS_URL'] } : {}),
      },
    });
  });
  afterAll(() => t?.close());

  async function signUp(): Promise<Browser> {
    const email = uniqueEmail('session');
    const response = await anonymous().post<AuthResponse>('/api/auth/register', {
      email,
      password: PASSWORD,
    });
    expect(response.status).toBe(201);
    return { email, accessToken: response.body.accessToken, refreshToken: refreshCookieOf(response).value };
  }
  async function signIn(email: string, password = PASSWORD): Promise<Browser> {
    const response = await anonymous().post<AuthResponse>('/api/auth/login', { email, password });
    expect(response.status).toBe(200);
    return { email, accessToken: response.body.accessToken, refreshToken: refreshCookieOf(response).value };
  }
  const refresh = (token: string) =>
    anonymous().post<AuthResponse>('/api/auth/refresh', undefined, { cookie: `${COOKIE}=${token}` });
  const me = (browser: Browser) => as(browser).get('/api/auth/me');

  it('sets the refresh token in a cookie no script can read, sent only to the refresh route', async () => {
    const email = uniqueEmail('cookie');
    const registered = await anonymous().post('/api/auth/register', { email, password: PASSWORD });
    const loggedIn = await anonymous().post('/api/auth/login', { email, password: PASSWORD });
    for (const response of [registered, loggedIn]) {
      const cookie = refreshCookieOf(response);
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie.attributes).toMatch(/HttpOnly/);
      expect(cookie.attributes).toMatch(/Secure/);
      expect(cookie.attributes).toMatch(/SameSite=Strict/);
      expect(cookie.attributes).toMatch(/Path=\/api\/auth\/refresh(;|$)/);
      expect(cookie.attributes).toMatch(/Max-Age=\d+/);
      // The answer still carries the access token (held in memory by the web app).
      expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { email } });
    }
  });

  it('rotates the refresh token on every use; the new access token works', async () => {
    const browser = await signUp();
    let token = browser.refreshToken;
    for (let i = 0; i < 3; i++) {
      const renewed = await refresh(token);
      expect(renewed.status).toBe(200);
      expect(renewed.body.user.email).toBe(browser.email);
      const next = refreshCookieOf(renewed).value;
      expect(next).not.toBe(token);
      token = next;
      expect((await me({ ...browser, accessToken: renewed.body.accessToken })).status).toBe(200);
    }
  });

  it('a refresh token replayed after rotation ends the whole session: both holders are out', async () => {
    const owner = await signUp();
    const stolen = owner.refreshToken;
    const renewed = await refresh(owner.refreshToken);
    const ownerNow: Browser = {
      ...owner,
      accessToken: renewed.body.accessToken,
      refreshToken: refreshCookieOf(renewed).value,
    };
    expect((await me(ownerNow)).status).toBe(200);

    const replay = await refresh(stolen);
    expectError(replay, 401, 'unauthorized');
    // The cookie is cleared on the way out.
    expect(refreshCookieOf(replay).attributes).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    // The family is dead: the owner's newest refresh token, and every access token of the session.
    expectError(await refresh(ownerNow.refreshToken), 401, 'unauthorized');
    expectError(await me(ownerNow), 401, 'unauthorized');
    expectError(await me(owner), 401, 'unauthorized');
    // Another sign-in is a new session and works.
    expect((await me(await signIn(owner.email))).status).toBe(200);
  });

  it('two uses of one refresh token at once: one wins, and the session ends', async () => {
    const browser = await signUp();
    const answers = await Promise.all([refresh(browser.refreshToken), refresh(browser.refreshToken)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    const winner = answers.find((answer) => answer.status === 200)!;
    expectError(await me({ ...browser, accessToken: winner.body.accessToken }), 401, 'unauthorized');
  });

  it('refuses a missing, malformed or unknown refresh cookie', async () => {
    expectError(await anonymous().post('/api/auth/refresh'), 401, 'unauthorized');
    expectError(await refresh('not-a-token'), 401, 'unauthorized');
    expectError(await refresh('A'.repeat(43)), 401, 'unauthorized');
  });

  it('logout ends the session: its access token and its refresh token stop working at once', async () => {
    const browser = await signUp();
    const other = await signIn(browser.email);
    const out = await as(browser).post('/api/auth/logout');
    expect(out.status).toBe(204);
    expect(refreshCookieOf(out).attributes).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    expectError(await me(browser), 401, 'unauthorized');
    expectError(await refresh(browser.refreshToken), 401, 'unauthorized');
    // Another device's session is untouched.
    expect((await me(other)).status).toBe(200);
  });

  it('a password change ends every other session; the old password stops working', async () => {
    const laptop = await signUp();
    const phone = await signIn(laptop.email);
    const newPassword = 'a different, longer passphrase 42';

    const wrong = await as(laptop).post('/api/auth/password', {
      currentPassword: 'not the password',
      newPassword,
    });
    expectError(wrong, 403, 'wrong_password');
    expect((await me(phone)).status).toBe(200);

    const changed = await as(laptop).post('/api/auth/password', { currentPassword: PASSWORD, newPassword });
    expect(changed.status).toBe(204);
    expect((await me(laptop)).status).toBe(200);
    expectError(await me(phone), 401, 'unauthorized');
    expectError(await refresh(phone.refreshToken), 401, 'unauthorized');
    expectError(
      await anonymous().post('/api/auth/login', { email: laptop.email, password: PASSWORD }),
      401,
      'unauthorized',
    );
    expect((await me(await signIn(laptop.email, newPassword))).status).toBe(200);
  });

  it('lists the live sessions, and ends one by id; never another user’s', async () => {
    const first = await signUp();
    const second = await signIn(first.email);
    const stranger = await signUp();

    const listed = await as(second).get<AuthSessionList>('/api/auth/sessions');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(2);
    expect(listed.body.items.filter((session) => session.current)).toHaveLength(1);
    const firstSession = listed.body.items.find((session) => !session.current)!;
    expect(firstSession).toMatchObject({ userAgent: expect.any(String) as string });

    expectError(await as(stranger).delete(`/api/auth/sessions/${firstSession.id}`), 404, 'not_found');
    expect((await me(first)).status).toBe(200);
    expectError(await as(second).delete('/api/auth/sessions/not-an-id'), 404, 'not_found');

    expect((await as(second).delete(`/api/auth/sessions/${firstSession.id}`)).status).toBe(204);
    expectError(await me(first), 401, 'unauthorized');
    expectError(await refresh(first.refreshToken), 401, 'unauthorized');
    expectError(await as(second).delete(`/api/auth/sessions/${firstSession.id}`), 404, 'not_found');
    const after = await as(second).get<AuthSessionList>('/api/auth/sessions');
    expect(after.body.items.map((session) => session.current)).toEqual([true]);
  });

  it('deletes the account and its data only with the password', async () => {
    const browser = await signUp();
    const conversation = await as(browser).post<Conversation>('/api/conversations', { title: 'mine' });
    expect(conversation.status).toBe(201);

    expectError(
      await as(browser).request('DELETE', '/api/auth/me', { password: 'not the password' }),
      403,
      'wrong_password',
    );
    expect((await me(browser)).status).toBe(200);

    expect((await as(browser).request('DELETE', '/api/auth/me', { password: PASSWORD })).status).toBe(204);
    expectError(await me(browser), 401, 'unauthorized');
    expectError(await refresh(browser.refreshToken), 401, 'unauthorized');
    expectError(
      await anonymous().post('/api/auth/login', { email: browser.email, password: PASSWORD }),
      401,
      'unauthorized',
    );
    const left = await t.app.get(DataSource).query<{ conversations: number; users: number }[]>(
      `SELECT (SELECT count(*) FROM conversations WHERE id = $1)::int AS conversations,
              (SELECT count(*) FROM users WHERE email = $2)::int AS users`,
      [conversation.body.id, browser.email],
    );
    expect(left[0]).toEqual({ conversations: 0, users: 0 });
  });

  it('refuses an access token without a session, even one signed with the real secret', async () => {
    const browser = await signUp();
    const claims = JSON.parse(Buffer.from(browser.accessToken.split('.')[1]!, 'base64url').toString()) as {
      sub: string;
    };
    const jwt = new JwtService({ secret: TEST_JWT_SECRET });
    const sessionless = await jwt.signAsync({ sub: claims.sub, role: 'admin' }, { expiresIn: 60 });
    const madeUp = await jwt.signAsync(
      { sub: claims.sub, sid: '00000000-0000-4000-8000-000000000000', role: 'user' },
      { expiresIn: 60 },
    );
    for (const token of [sessionless, madeUp]) {
      expectError(await new ApiClient(t.url, token).get('/api/auth/me'), 401, 'unauthorized');
    }
  });

  describe('guesses at one account', () => {
    it('five free failures, then each attempt waits, whatever its address; the right password clears it', async () => {
      const browser = await signUp();
      const guess = (password: string) =>
        anonymous().post('/api/auth/login', { email: browser.email, password });
      for (let i = 0; i < 5; i++) expectError(await guess(`wrong guess ${i}`), 401, 'unauthorized');

      const waiting = await guess(PASSWORD);
      const error = expectError(waiting, 429, 'rate_limited');
      expect(error.details).toMatchObject({ limit: 'account_failures' });
      expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await guess(PASSWORD)).status).toBe(200);
      // Cleared: five more free failures.
      for (let i = 0; i < 5; i++) expectError(await guess(`again ${i}`), 401, 'unauthorized');
    });

    it('twenty guesses at once: at most the free five are tried, the rest wait', async () => {
      const browser = await signUp();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          anonymous().post('/api/auth/login', { email: browser.email, password: `parallel ${i}` }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    });

    it('an unknown address is limited the same way, so the answer tells nothing', async () => {
      const email = uniqueEmail('nobody');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await anonymous().post('/api/auth/login', { email, password: `guess ${i}` })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });

    it('a stolen access token cannot guess the password through the password change', async () => {
      const browser = await signUp();
      for (let i = 0; i < 5; i++) {
        const answer = await as(browser).post('/api/auth/password', {
          currentPassword: `guess ${i}`,
          newPassword: 'the thief’s own passphrase 99',
        });
        expectError(answer, 403, 'wrong_password');
      }
      const limited = await as(browser).post('/api/auth/password', {
        currentPassword: PASSWORD,
        newPassword: 'the thief’s own passphrase 99',
      });
      expectError(limited, 429, 'rate_limited');
    });
  });
});
