import type { DataSource, Migration } from 'typeorm';

/** The advisory lock every Sluice API process takes to migrate a database (any fixed number). */
export const MIGRATIONS_LOCK_KEY = 0x51_1c_e0_01;

/**
 * Runs the pending migrations under a PostgreSQL advisory lock: replicas that boot together take
 * turns, the first applies what is pending and the others find nothing left (TypeORM takes no lock of
 * its own, and two processes migrating at once fail on each other's tables). The lock is a session
 * lock, so a process that dies holding it releases it with its connection.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK_KEY]);
    try {
      return await dataSource.runMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
