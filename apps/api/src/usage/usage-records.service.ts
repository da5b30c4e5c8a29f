import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { type UsageCaller, type UsageOutcome, UsageRecordEntity } from './usage-record.entity';

/** What one LLM request cost and how it ended, as the caller knows it when the request is over. */
export interface UsageRecordInput {
  caller: UsageCaller;
  userId: string;
  conversationId: string | null;
  assistantMessageId: string | null;
  model: string | null;
  provider: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  ttftMs: number | null;
  durationMs: number;
  outcome: UsageOutcome;
  errorCode: string | null;
}

/** Writes the `usage_records` rows (one per LLM request). */
@Injectable()
export class UsageRecordsService {
  constructor(@InjectRepository(UsageRecordEntity) private readonly records: Repository<UsageRecordEntity>) {}

  async record(input: UsageRecordInput): Promise<UsageRecordEntity> {
    return this.records.save(
      this.records.create({
        ...input,
        promptTokens: Math.max(0, Math.round(input.promptTokens ?? 0)),
        completionTokens: Math.max(0, Math.round(input.completionTokens ?? 0)),
        // The table requires a code on every failure.
        errorCode: input.outcome === 'failed' ? (input.errorCode ?? 'llm_error') : input.errorCode,
      }),
    );
  }
}
