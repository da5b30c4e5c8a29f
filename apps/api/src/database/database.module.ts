import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { dataSourceOptions } from './data-source-options';

/** PostgreSQL through TypeORM; the pending migrations run before the app serves anything. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [API_CONFIG],
      useFactory: (config: RuntimeConfig) => ({
        ...dataSourceOptions(config.databaseUrl),
        migrationsRun: true,
        retryAttempts: 2,
        retryDelay: 1_000,
      }),
    }),
  ],
})
export class DatabaseModule {}
