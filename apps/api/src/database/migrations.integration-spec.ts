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
    expect(tables).toEqual([
      'auth_sessions',
      'conversations',
      'messages',
      'refresh_tokens',
      'usage_records',
      'users',
    ]);
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

  it('keep usage records when conversations and messages go, not when the user goes', async () => {
    const [user] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO users (email, password_hash) VALUES ('usage@example.com', 'x') RETURNING id`,
    );
    const [conversation] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO conversations (user_id) VALUES ($1) RETURNING id`,
      [user!.id],
    );
    const [message] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO messages (conversation_id, user_id, role, status)
       VALUES ($1, $2, 'assistant', 'complete') RETURNING id`,
      [conversation!.id, user!.id],
    );
    const insert = (outcome: string, errorCode: string | null) =>
      dataSource.query(
        `INSERT INTO usage_records (caller, user_id, conversation_id, assistant_message_id, duration_ms,
                                    outcome, error_code)
         VALUES ('web', $1, $2, $3, 10, $4, $5)`,
        [user!.id, conversation!.id, message!.id, outcome, errorCode],
      );
    await insert('complete', null);
    await expect(insert('thinking', null)).rejects.toThrow(/usage_records_outcome_chk/);
    await expect(insert('failed', null)).rejects.toThrow(/usage_records_failed_code_chk/);

    await dataSource.query(`DELETE FROM conversations WHERE id = $1`, [conversation!.id]);
    expect(await dataSource.query(`SELECT conversation_id, assistant_message_id FROM usage_records`)).toEqual(
      [{ conversation_id: null, assistant_message_id: null }],
    );
    await dataSource.query(`DELETE FROM users WHERE id = $1`, [user!.id]);
    expect(await dataSource.query(`SELECT id FROM usage_records`)).toEqual([]);
  });

  it('revert with down()', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    expect(await dataSource.query(TABLES)).toEqual([]);
    await dataSource.runMigrations();
  });
});
