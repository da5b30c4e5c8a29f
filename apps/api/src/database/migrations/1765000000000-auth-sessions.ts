import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions that can end (issue #15): one row per sign-in, and the refresh tokens it was given, stored
 * as SHA-256 hashes. A token is used once; a used one presented again ends its whole session.
 */
export class AuthSessions1765000000000 implements MigrationInterface {
  name = 'AuthSessions1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth_sessions (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        user_agent   text,
        created_at   timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at   timestamptz(3) NOT NULL,
        ended_at     timestamptz(3),
        end_reason   text,
        CONSTRAINT auth_sessions_end_chk CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
        CONSTRAINT auth_sessions_reason_chk CHECK (
          end_reason IN ('signed_out', 'ended_by_user', 'password_changed', 'token_reused')
        )
      )
    `);
    // A user's live sessions: the list, "end every other", and the access token check by id.
    await queryRunner.query(
      `CREATE INDEX auth_sessions_user_live_idx ON auth_sessions (user_id) WHERE ended_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE refresh_tokens (
        token_hash bytea PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        used_at    timestamptz(3)
      )
    `);
    await queryRunner.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE refresh_tokens`);
    await queryRunner.query(`DROP TABLE auth_sessions`);
  }
}
