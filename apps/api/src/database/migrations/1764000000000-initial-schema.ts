import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, conversations and messages (stage one). */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email         text NOT NULL,
        password_hash text NOT NULL,
        role          text NOT NULL DEFAULT 'user',
        created_at    timestamptz(3) NOT NULL DEFAULT now(),
        updated_at    timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email),
        CONSTRAINT users_email_lower_chk CHECK (email = lower(email)),
        CONSTRAINT users_role_chk CHECK (role IN ('user', 'admin'))
      )
    `);
    await queryRunner.query(`
      CREATE TABLE conversations (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        title      text,
        model      text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(
      `CREATE INDEX conversations_user_recent_idx ON conversations (user_id, updated_at DESC, id DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE messages (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq               bigint GENERATED ALWAYS AS IDENTITY,
        conversation_id   uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role              text NOT NULL,
        content           text NOT NULL DEFAULT '',
        status            text NOT NULL,
        model             text,
        provider          text,
        prompt_tokens     integer,
        completion_tokens integer,
        ttft_ms           integer,
        duration_ms       integer,
        error_code        text,
        created_at        timestamptz(3) NOT NULL DEFAULT now(),
        updated_at        timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT messages_role_chk CHECK (role IN ('system', 'user', 'assistant')),
        CONSTRAINT messages_status_chk CHECK (status IN ('complete', 'streaming', 'interrupted', 'failed'))
      )
    `);
    await queryRunner.query(`CREATE INDEX messages_conversation_seq_idx ON messages (conversation_id, seq)`);
    await queryRunner.query(`CREATE INDEX messages_user_created_idx ON messages (user_id, created_at)`);
    await queryRunner.query(
      `CREATE INDEX messages_streaming_idx ON messages (status) WHERE status = 'streaming'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE messages`);
    await queryRunner.query(`DROP TABLE conversations`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
