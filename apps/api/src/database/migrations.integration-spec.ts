import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { dataSourceOptions, MIGRATIONS } from './data-source-options';

const TABLES = `SELECT table_name FROM information_schema.tables
                WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`;

describe('migrations (integration, real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('apply in order, are recorded, and a second run does nothing', async () => {
    const applied = await dataSource.runMigrations();
    expect(applied.map((migration) => migration.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(await dataSource.runMigrations()).toEqual([]);
    const tables = (await dataSource.query<{ table_name: string }[]>(TABLES)).map((row) => row.table_name);
    expect(tables).toEqual(['conversations', 'messages', 'users']);
  });

  it('match the entities column for column', async () => {
    // Keys, indexes and checks live in the SQL only (the entities do not repeat them): what a schema
    // diff would drop of those is expected; any change to a table or a column is drift.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    const drift = pending.upQueries
      .map((query) => query.query)
      .filter(
        (query) => !/^ALTER TABLE "\w+" DROP CONSTRAINT "\w+"$|^DROP INDEX "public"\."\w+"$/.test(query),
      );
    expect(drift).toEqual([]);
  });

  it('enforce what the code relies on: lower-case unique emails, known statuses', async () => {
    await expect(
      dataSource.query(`INSERT INTO users (email, password_hash) VALUES ('Upper@Example.com', 'x')`),
    ).rejects.toThrow(/users_email_lower_chk/);
    await dataSource.query(`INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'x')`);
    await expect(
      dataSource.query(`INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'y')`),
    ).rejects.toThrow(/users_email_key/);
    await expect(
      dataSource
        .query(`INSERT INTO conversations (user_id) SELECT id FROM users LIMIT 1 RETURNING id`)
        .then(([row]: { id: string }[]) =>
          dataSource.query(
            `INSERT INTO messages (conversation_id, user_id, role, status)
           SELECT $1, id, 'assistant', 'thinking' FROM users LIMIT 1`,
            [row!.id],
          ),
        ),
    ).rejects.toThrow(/messages_status_chk/);
  });

  it('revert with down()', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    expect(await dataSource.query(TABLES)).toEqual([]);
    await dataSource.runMigrations();
  });
});
