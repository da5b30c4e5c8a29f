import type { AuthResponse, User } from '@sluice/contracts';
import { DataSource } from 'typeorm';
import { runAdminCommand } from '../src/admin-cli/admin-command';
import { PasswordHasher } from '../src/auth/password-hasher';
import { UsersService } from '../src/users/users.service';
import { ApiClient, expectError, PASSWORD, registerUser, uniqueEmail } from './support/api-client';
import { deadUrl } from './support/net';
import { startTestApp, type TestApp } from './support/test-app';

describe('auth (e2e)', () => {
  let t: TestApp;
  let anonymous: ApiClient;
  const adminEmail = uniqueEmail('admin');

  beforeAll(async () => {
    t = await startTestApp({ env: { OLLAMA_BASE_URL: await deadUrl() } });
    anonymous = new ApiClient(t.url);
  });
  afterAll(() => t?.close());

  it('registers, logs in and answers the current user', async () => {
    const email = uniqueEmail();
    const registered = await anonymous.post<AuthResponse>('/api/auth/register', {
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { email, role: 'user' },
    });
    expect(registered.body.accessToken.split('.')).toHaveLength(3);
    expect(JSON.stringify(registered.body)).not.toContain(PASSWORD);

    const login = await anonymous.post<AuthResponse>('/api/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(registered.body.user.id);

    const me = await anonymous.withToken(login.body.accessToken).get<User>('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: registered.body.user.id,
      email,
      role: 'user',
      createdAt: registered.body.user.createdAt,
    });
  });

  it('refuses a taken email (any case) with conflict', async () => {
    const email = uniqueEmail();
    await registerUser(t.url, email);
    const again = await anonymous.post('/api/auth/register', {
      email: email.toUpperCase(),
      password: PASSWORD,
    });
    const error = expectError(again, 409, 'conflict');
    expect(error.message).not.toContain(email);
  });

  it('hashes the password of a taken email before the insert finds it taken (same argon2 work)', async () => {
    const email = uniqueEmail();
    await registerUser(t.url, email);
    const hash = jest.spyOn(t.app.get(PasswordHasher), 'hash');
    const create = jest.spyOn(t.app.get(UsersService), 'create');
    try {
      expectError(await anonymous.post('/api/auth/register', { email, password: PASSWORD }), 409, 'conflict');
      expect(hash).toHaveBeenCalledTimes(1);
      // The insert (which is where the conflict shows) got the finished argon2id hash.
      expect(create).toHaveBeenCalledWith(email, expect.stringMatching(/^\$argon2id\$/), 'user');
      expect(hash.mock.invocationCallOrder[0]).toBeLessThan(create.mock.invocationCallOrder[0]!);
    } finally {
      hash.mockRestore();
      create.mockRestore();
    }
  });

  it.each([
    ['password', /^is too easy to guess: This is a heavily used password/],
    ['12345678', /^is too easy to guess: /],
    ['        ', /^must not be only spaces$/],
  ])('refuses the weak password %j with validation_failed on the password field', async (password, why) => {
    const response = await anonymous.post('/api/auth/register', { email: uniqueEmail(), password });
    const error = expectError(response, 400, 'validation_failed');
    expect(error.details).toEqual([{ path: 'password', message: expect.stringMatching(why) }]);
  });

  it("refuses a password made of the email's own name", async () => {
    const response = await anonymous.post('/api/auth/register', {
      email: 'margarethamilton@example.com',
      password: 'margarethamilton1936',
    });
    const error = expectError(response, 400, 'validation_failed');
    expect(error.details).toEqual([
      { path: 'password', message: expect.stringMatching(/^is too easy to guess/) },
    ]);
  });

  it('refuses wrong passwords and unknown emails alike', async () => {
    const { auth } = await registerUser(t.url);
    const wrong = expectError(
      await anonymous.post('/api/auth/login', { email: auth.user.email, password: 'not the password' }),
      401,
      'unauthorized',
    );
    const unknown = expectError(
      await anonymous.post('/api/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD }),
      401,
      'unauthorized',
    );
    expect(unknown.message).toBe(wrong.message);
  });

  it('answers field-level validation errors', async () => {
    const response = await anonymous.post('/api/auth/register', { email: 'not-an-email', password: 'short' });
    const error = expectError(response, 400, 'validation_failed');
    expect(error.details).toEqual(
      expect.arrayContaining([
        { path: 'email', message: 'must be a valid email address' },
        { path: 'password', message: 'must be at least 8 characters' },
      ]),
    );
    const missing = expectError(await anonymous.post('/api/auth/login', {}), 400, 'validation_failed');
    expect(missing.details).toEqual(
      expect.arrayContaining([
        { path: 'email', message: 'is required' },
        { path: 'password', message: 'is required' },
      ]),
    );
    expectError(await anonymous.post('/api/auth/login', '{"email":'), 400, 'validation_failed');
  });

  it('requires a valid bearer token everywhere but the public routes', async () => {
    expectError(await anonymous.get('/api/auth/me'), 401, 'unauthorized');
    expectError(await anonymous.get('/api/conversations'), 401, 'unauthorized');
    expectError(await anonymous.withToken('not.a.token').get('/api/auth/me'), 401, 'unauthorized');
    const { auth } = await registerUser(t.url);
    const [header, payload] = auth.accessToken.split('.');
    const forged = `${header}.${payload}.${Buffer.from('forged').toString('base64url')}`;
    expectError(await anonymous.withToken(forged).get('/api/auth/me'), 401, 'unauthorized');
    expect((await anonymous.get('/health/live')).status).toBe(200);
  });

  it('makes no admin by address: an email once in ADMIN_EMAILS registers and logs in as a user', async () => {
    const { auth } = await registerUser(t.url, adminEmail);
    expect(auth.user.role).toBe('user');
    const login = await anonymous.post<AuthResponse>('/api/auth/login', {
      email: adminEmail,
      password: PASSWORD,
    });
    expect(login.body.user.role).toBe('user');
    expectError(await anonymous.withToken(login.body.accessToken).get('/api/admin/users'), 403, 'forbidden');
  });

  it('keeps the admin route for admins (granted by the admin command)', async () => {
    const { api: user } = await registerUser(t.url);
    expectError(await user.get('/api/admin/users'), 403, 'forbidden');

    const email = uniqueEmail('granted');
    const { api: admin } = await registerUser(t.url, email);
    expectError(await admin.get('/api/admin/users'), 403, 'forbidden');
    const granted = await runAdminCommand(t.app.get(DataSource), { name: 'grant', email });
    expect(granted.exitCode).toBe(0);
    // The role is read on every request: the token issued before the grant works at once.
    const list = await admin.get<{ items: User[]; nextCursor: string | null }>('/api/admin/users?limit=2');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items[0]!.email).toBe(email);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    const next = await admin.get<{ items: User[] }>(
      `/api/admin/users?limit=100&cursor=${encodeURIComponent(list.body.nextCursor!)}`,
    );
    expect(next.body.items.map((u) => u.id)).not.toContain(list.body.items[0]!.id);

    await runAdminCommand(t.app.get(DataSource), { name: 'revoke', email });
    expectError(await admin.get('/api/admin/users'), 403, 'forbidden');
  });

  it('echoes a sane x-request-id and makes one up otherwise', async () => {
    const given = await anonymous.get('/api/auth/me', { 'x-request-id': 'trace-123' });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    expect((given.body as { requestId: string }).requestId).toBe('trace-123');
    const insane = await anonymous.get('/health/live', { 'x-request-id': 'a b\tc'.repeat(50) });
    expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes and oversize bodies in the error shape', async () => {
    expectError(await anonymous.get('/api/nope'), 404, 'not_found');
    const big = await anonymous.post('/api/auth/login', {
      email: 'a@b.co',
      password: 'x'.repeat(2 * 1024 * 1024),
    });
    expectError(big, 413, 'payload_too_large');
  });
});

describe('auth rate limit (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OLLAMA_BASE_URL: await deadUrl(), AUTH_RATE_LIMIT: '3' } });
  });
  afterAll(() => t?.close());

  it('answers 429 rate_limited with Retry-After once an IP used its attempts', async () => {
    const api = new ApiClient(t.url);
    const attempt = () =>
      api.post('/api/auth/login', { email: 'who@example.com', password: 'whatever-it-is' });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other routes are not limited.
    expect((await api.get('/health/live')).status).toBe(200);
  });
});
