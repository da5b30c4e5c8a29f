import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { embeddedUrl } from './embedded-postgres';

/**
 * The standalone DataSource for the TypeORM CLI (`nx run api:migration-run`, `migration-revert`,
 * `migration-show`): DATABASE_URL, or the embedded PostgreSQL of `npm start` while it runs.
 */
const dataSource = new DataSource(
  dataSourceOptions(
    process.env['DATABASE_URL'] || embeddedUrl(Number(process.env['EMBEDDED_POSTGRES_PORT'] || 54_329)),
  ),
);
export default dataSource;
