import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per LLM request the API makes (issue #5): who asked, for what, what it cost, how it ended.
 * Usage history outlives the conversation and its messages (SET NULL), not the user (CASCADE).
 */
export class UsageRecords1764100000000 implements MigrationInterface {
  name = 'UsageRecords1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE usage_records (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        caller               text NOT NULL,
        user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        conversation_id      uuid REFERENCES conversations (id) ON DELETE SET NULL,
        assistant_message_id uuid REFERENCES messages (id) ON DELETE SET NULL,
        model                text,
        provider             text,
        prompt_tokens        integer NOT NULL DEFAULT 0,
        completion_tokens    integer NOT NULL DEFAULT 0,
        ttft_ms              integer,
        duration_ms          integer NOT NULL,
        outcome              text NOT NULL,
        error_code           text,
        created_at           timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT usage_records_outcome_chk CHECK (outcome IN ('complete', 'interrupted', 'failed')),
        CONSTRAINT usage_records_failed_code_chk CHECK (outcome <> 'failed' OR error_code IS NOT NULL),
        CONSTRAINT usage_records_tokens_chk CHECK (prompt_tokens >= 0 AND completion_tokens >= 0)
      )
    `);
    // GET /api/usage: one user's rows over a range of days.
    await queryRunner.query(
      `CREATE INDEX usage_records_user_created_idx ON usage_records (user_id, created_at)`,
    );
    // The SET NULL of a conversation or message delete finds its rows without a scan.
    await queryRunner.query(
      `CREATE INDEX usage_records_conversation_idx ON usage_records (conversation_id)
        WHERE conversation_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX usage_records_assistant_message_idx ON usage_records (assistant_message_id)
        WHERE assistant_message_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE usage_records`);
  }
}
