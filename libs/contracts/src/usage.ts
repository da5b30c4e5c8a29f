import { z } from 'zod';

/** The first and last UTC day a usage query may name. */
export const USAGE_FIRST_DAY = '1970-01-01';
export const USAGE_LAST_DAY = '9999-12-31';

const day = z.iso
  .date({ error: 'must be a date (YYYY-MM-DD)', abort: true })
  .refine(
    (value) => value >= USAGE_FIRST_DAY && value <= USAGE_LAST_DAY,
    `must be a day from ${USAGE_FIRST_DAY} to ${USAGE_LAST_DAY}`,
  );

/**
 * `GET /api/usage`: `from` and `to` are UTC days, both included; default: the last 30 days up to `to`
 * (never before 1970-01-01). Days run from 1970-01-01, before anything the API stored, to 9999-12-31,
 * the last day `YYYY-MM-DD` and `toISOString()` can write; PostgreSQL has no year 0, which `0000-01-01`
 * would ask for. The span is not bounded: the query reads only the caller's rows in the range (by the
 * `(user_id, created_at)` index) and answers one row per day and model that has usage, so a wide range
 * costs what the usage in it costs.
 */
export const usageQuerySchema = z
  .object({ from: day.optional(), to: day.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });
export type UsageQuery = z.infer<typeof usageQuerySchema>;

/** How the LLM requests ended: answered in full, cut short (client gone, server stopping), failed. */
export const usageOutcomeCountsSchema = z.object({
  complete: z.number().int(),
  interrupted: z.number().int(),
  failed: z.number().int(),
});
export type UsageOutcomeCounts = z.infer<typeof usageOutcomeCountsSchema>;

export const usageTotalsSchema = z.object({
  /** LLM requests (one per answer streamed), whatever their outcome. */
  messages: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  /** `messages` split by outcome (added with the usage_records table; older servers leave it out). */
  requests: usageOutcomeCountsSchema.optional(),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

export const usageRowSchema = usageTotalsSchema.extend({
  day: z.iso.date(),
  model: z.string(),
});
export type UsageRow = z.infer<typeof usageRowSchema>;

export const usageReportSchema = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  /** One row per UTC day and model that answered, oldest first. */
  days: z.array(usageRowSchema),
  totals: usageTotalsSchema,
});
export type UsageReport = z.infer<typeof usageReportSchema>;
