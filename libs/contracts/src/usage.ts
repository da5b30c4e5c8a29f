import { z } from 'zod';

const day = z.iso.date({ error: 'must be a date (YYYY-MM-DD)' });

/** `GET /api/usage`: `from` and `to` are UTC days, both included; default: the last 30 days. */
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
