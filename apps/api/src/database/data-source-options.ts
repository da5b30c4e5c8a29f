import type { DataSourceOptions } from 'typeorm';
import { ConversationEntity } from '../conversations/conversation.entity';
import { MessageEntity } from '../conversations/message.entity';
import { UserEntity } from '../users/user.entity';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';

export const ENTITIES = [UserEntity, ConversationEntity, MessageEntity];

/** In order. A new migration is a new file here: reviewable SQL with a `down()`; never `synchronize`. */
export const MIGRATIONS = [InitialSchema1764000000000];

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
