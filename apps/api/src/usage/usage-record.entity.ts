import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Who made an LLM request: the browser chat today; other callers (API keys, jobs) later. */
export type UsageCaller = 'web';
export type UsageOutcome = 'complete' | 'interrupted' | 'failed';

/** One LLM request the API made and how it ended (migration `UsageRecords1764100000000`). */
@Entity({ name: 'usage_records' })
export class UsageRecordEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  caller!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** Null once the conversation is deleted: the usage stays. */
  @Column({ name: 'conversation_id', type: 'uuid', nullable: true })
  conversationId!: string | null;

  @Column({ name: 'assistant_message_id', type: 'uuid', nullable: true })
  assistantMessageId!: string | null;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ type: 'text', nullable: true })
  provider!: string | null;

  @Column({ name: 'prompt_tokens', type: 'integer', default: 0 })
  promptTokens!: number;

  @Column({ name: 'completion_tokens', type: 'integer', default: 0 })
  completionTokens!: number;

  @Column({ name: 'ttft_ms', type: 'integer', nullable: true })
  ttftMs!: number | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ type: 'text' })
  outcome!: UsageOutcome;

  /** Set when the outcome is `failed` (the stream's error code); the reason of an interruption otherwise. */
  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
