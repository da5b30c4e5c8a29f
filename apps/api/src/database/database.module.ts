import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { dataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './run-migrations';

/**
 * PostgreSQL through TypeORM; the pending migrations run before the app serves anything, one replica
 * at a time.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [API_CONFIG],
      useFactory: (config: RuntimeConfig) => ({
        ...dataSourceOptions(config.databaseUrl),
        retryAttempts: 2,
        retryDelay: 1_000,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options as DataSourceOptions).initialize();
        try {
          await runMigrationsLocked(dataSource);
          return dataSource;
        } catch (error) {
          // A retry builds a new DataSource: this one's pool must not linger.
          await dataSource.destroy().catch(() => undefined);
          throw error;
        }
      },
    }),
  ],
})
export class DatabaseModule {}
