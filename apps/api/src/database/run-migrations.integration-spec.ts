import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { dataSourceOptions, MIGRATIONS } from './data-source-options';
import { runMigrationsLocked } from './run-migrations';

describe('runMigrationsLocked (integration, real PostgreSQL)', () => {
  let db: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    await db?.drop();
  });

  it('lets replicas that boot together migrate one after the other, each migration applied once', async () => {
    for (let i = 0; i < 3; i++) sources.push(await new DataSource(dataSourceOptions(db.url)).initialize());
    const applied = await Promise.all(sources.map((source) => runMigrationsLocked(source)));
    expect(applied.flat().map((migration) => migration.name)).toEqual(MIGRATIONS.map((m) => m.name));
    const recorded = await sources[0]!.query<{ name: string }[]>(`SELECT name FROM migrations ORDER BY id`);
    expect(recorded.map((row) => row.name)).toEqual(MIGRATIONS.map((m) => m.name));
    const locks = await sources[0]!.query<{ count: string }[]>(
      `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`,
    );
    expect(locks).toEqual([{ count: '0' }]);
  });
});
