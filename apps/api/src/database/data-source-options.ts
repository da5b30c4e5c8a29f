import type { DataSourceOptions } from 'typeorm';
import { AuthSessionEntity } from '../auth/sessions/auth-session.entity';
import { ConversationEntity } from '../conversations/conversation.entity';
import { MessageEntity } from '../conversations/message.entity';
import { UsageRecordEntity } from '../usage/usage-record.entity';
import { UserEntity } from '../users/user.entity';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { UsageRecords1764100000000 } from './migrations/1764100000000-usage-records';
import { AuthSessions1765000000000 } from './migrations/1765000000000-auth-sessions';

export const ENTITIES = [UserEntity, AuthSessionEntity, ConversationEntity, MessageEntity, UsageRecordEntity];

/** In order. A new migration is a new file here: reviewable SQL with a `down()`; never `synchronize`. */
export const MIGRATIONS = [InitialSchema1764000000000, UsageRecords1764100000000, AuthSessions1765000000000];

/** The same options for the app (which runs the migrations on boot) and the CLI's DataSource. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 10, connectionTimeoutMillis: 5_000 },
  };
}
