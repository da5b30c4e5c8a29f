import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildApi, BUILD_TIMEOUT_MS, type BuiltApi, runNode } from '../../test/support/built-api';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { dataSourceOptions } from '../database/data-source-options';

describe('npm run admin (the compiled CLI, as a child process, on real PostgreSQL)', () => {
  let built: BuiltApi;
  let db: TestDatabase;
  let cli: string;
  const admin = (...args: string[]) => runNode(cli, args, { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    [built, db] = await Promise.all([buildApi(), createTestDatabase()]);
    cli = join(built.srcDir, 'admin-cli/main.js');
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await db?.drop();
    await built?.remove();
  });

  async function roleOf(email: string): Promise<string | undefined> {
    const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      const rows = await dataSource.query<{ role: string }[]>('SELECT role FROM users WHERE email = $1', [
        email,
      ]);
      return rows[0]?.role;
    } finally {
      await dataSource.destroy();
    }
  }

  it('migrates a fresh database and refuses an unknown email with exit code 1', async () => {
    const unknown = await admin('grant', 'nobody@example.com');
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toBe('No account with the email nobody@example.com: it must sign up first.\n');
    expect(await admin('list')).toMatchObject({ code: 0, stdout: 'No admins yet.\n' });
  });

  it('grants and revokes the admin role by email (any case), and lists the admins', async () => {
    const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
    await dataSource.query(`INSERT INTO users (email, password_hash) VALUES ('ada@example.com', 'x')`);
    await dataSource.destroy();

    expect(await admin('grant', 'Ada@Example.com')).toMatchObject({
      code: 0,
      stdout: 'ada@example.com is now an admin.\n',
    });
    expect(await roleOf('ada@example.com')).toBe('admin');
    expect(await admin('grant', 'ada@example.com')).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('already'),
    });
    expect(await admin('list')).toMatchObject({ code: 0, stdout: 'ada@example.com\n' });

    expect(await admin('revoke', 'ada@example.com')).toMatchObject({
      code: 0,
      stdout: 'ada@example.com is no longer an admin.\n',
    });
    expect(await roleOf('ada@example.com')).toBe('user');
  });

  it('answers the usage with exit code 2 for anything else', async () => {
    for (const args of [[], ['promote', 'a@b.co'], ['grant'], ['grant', 'a@b.co', 'extra']]) {
      const result = await admin(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: npm run admin -- <command>');
    }
  });

  it('refuses to run while ADMIN_EMAILS is set, like the API', async () => {
    const result = await runNode(cli, ['list'], { DATABASE_URL: db.url, ADMIN_EMAILS: 'ada@example.com' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ADMIN_EMAILS: no longer supported');
  });
});
