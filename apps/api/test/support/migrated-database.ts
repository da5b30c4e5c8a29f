import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface MigratedDatabase {
  db: TestDatabase;
  dataSource: DataSource;
  /** A user to own the rows a test inserts. */
  userId: string;
  close(): Promise<void>;
}

/** A fresh database with the migrations applied and one user, for integration tests of the data layer. */
export async function openMigratedDatabase(email: string): Promise<MigratedDatabase> {
  const db = await createTestDatabase();
  const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
  await dataSource.runMigrations();
  const users = await dataSource.query<{ id: string }[]>(
    `INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`,
    [email],
  );
  const user = users[0];
  if (!user) throw new Error('the test user was not created');
  return {
    db,
    dataSource,
    userId: user.id,
    close: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
