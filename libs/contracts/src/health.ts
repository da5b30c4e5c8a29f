import { z } from 'zod';

export const upstreamHealthSchema = z.object({
  provider: z.string(),
  kind: z.string(),
  baseUrl: z.string(),
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** `ok`: everything up; `degraded`: the database is up, an LLM upstream is not; `down`: the database is down (503). */
export const readinessSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  database: z.object({
    ok: z.boolean(),
    latencyMs: z.number(),
    error: z.string().optional(),
  }),
  llm: z.array(upstreamHealthSchema),
});
export type Readiness = z.infer<typeof readinessSchema>;
