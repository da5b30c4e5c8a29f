import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  USAGE_FIRST_DAY,
  type UsageOutcomeCounts,
  type UsageQuery,
  type UsageReport,
  type UsageRow,
  type UsageTotals,
} from '@sluice/contracts';
import { DataSource } from 'typeorm';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;

interface UsageSqlRow {
  day: string;
  model: string;
  requests: string;
  complete: string;
  interrupted: string;
  failed: string;
  prompt_tokens: string;
  completion_tokens: string;
}

const daysBefore = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
const maxDay = (a: string, b: string) => (a > b ? a : b);

/** The model of a request that failed before any model was chosen (none requested, no default). */
export const UNKNOWN_MODEL = 'unknown';

/**
 * LLM usage of one user, per UTC day and model, from `usage_records` (one row per request, kept when
 * the conversation is deleted).
 */
@Injectable()
export class UsageService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(userId: string, query: UsageQuery, now = new Date()): Promise<UsageReport> {
    const to = query.to ?? now.toISOString().slice(0, 10);
    const from = query.from ?? maxDay(daysBefore(to, DEFAULT_DAYS - 1), USAGE_FIRST_DAY);
    const rows: UsageSqlRow[] = await this.dataSource.query(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              coalesce(model, $4) AS model,
              count(*) AS requests,
              count(*) FILTER (WHERE outcome = 'complete') AS complete,
              count(*) FILTER (WHERE outcome = 'interrupted') AS interrupted,
              count(*) FILTER (WHERE outcome = 'failed') AS failed,
              coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
              coalesce(sum(completion_tokens), 0) AS completion_tokens
         FROM usage_records
        WHERE user_id = $1
          AND created_at >= $2::date AT TIME ZONE 'UTC'
          AND created_at < ($3::date + 1) AT TIME ZONE 'UTC'
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      [userId, from, to, UNKNOWN_MODEL],
    );
    const days: UsageRow[] = rows.map((row) => {
      const promptTokens = Number(row.prompt_tokens);
      const completionTokens = Number(row.completion_tokens);
      return {
        day: row.day,
        model: row.model,
        messages: Number(row.requests),
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
        requests: {
          complete: Number(row.complete),
          interrupted: Number(row.interrupted),
          failed: Number(row.failed),
        },
      };
    });
    const totals = days.reduce<UsageTotals & { requests: UsageOutcomeCounts }>(
      (sum, row) => ({
        messages: sum.messages + row.messages,
        promptTokens: sum.promptTokens + row.promptTokens,
        completionTokens: sum.completionTokens + row.completionTokens,
        totalTokens: sum.totalTokens + row.totalTokens,
        requests: {
          complete: sum.requests.complete + (row.requests?.complete ?? 0),
          interrupted: sum.requests.interrupted + (row.requests?.interrupted ?? 0),
          failed: sum.requests.failed + (row.requests?.failed ?? 0),
        },
      }),
      {
        messages: 0,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        requests: { complete: 0, interrupted: 0, failed: 0 },
      },
    );
    return { from, to, days, totals };
  }
}
