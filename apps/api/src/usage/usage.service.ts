import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UsageQuery, UsageReport, UsageRow } from '@sluice/contracts';
import { DataSource } from 'typeorm';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;

interface UsageSqlRow {
  day: string;
  model: string;
  messages: string;
  prompt_tokens: string;
  completion_tokens: string;
}

/** Token usage of one user, per UTC day and model, from the answers stored in the messages table. */
@Injectable()
export class UsageService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(userId: string, query: UsageQuery, now = new Date()): Promise<UsageReport> {
    const to = query.to ?? now.toISOString().slice(0, 10);
    const from =
      query.from ??
      new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    const rows: UsageSqlRow[] = await this.dataSource.query(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              model,
              count(*) AS messages,
              coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
              coalesce(sum(completion_tokens), 0) AS completion_tokens
         FROM messages
        WHERE user_id = $1
          AND role = 'assistant'
          AND status <> 'streaming'
          AND model IS NOT NULL
          AND created_at >= $2::date AT TIME ZONE 'UTC'
          AND created_at < ($3::date + 1) AT TIME ZONE 'UTC'
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      [userId, from, to],
    );
    const days: UsageRow[] = rows.map((row) => {
      const promptTokens = Number(row.prompt_tokens);
      const completionTokens = Number(row.completion_tokens);
      return {
        day: row.day,
        model: row.model,
        messages: Number(row.messages),
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
      };
    });
    const totals = days.reduce(
      (sum, row) => ({
        messages: sum.messages + row.messages,
        promptTokens: sum.promptTokens + row.promptTokens,
        completionTokens: sum.completionTokens + row.completionTokens,
        totalTokens: sum.totalTokens + row.totalTokens,
      }),
      { messages: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    );
    return { from, to, days, totals };
  }
}
