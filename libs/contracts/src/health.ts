import { z } from 'zod';

/** `degraded`: it answers, but a circuit is half-open or some of its models are failing. */
export const componentStatusSchema = z.enum(['up', 'degraded', 'down']);
export type ComponentStatus = z.infer<typeof componentStatusSchema>;

/**
 * The public readiness (`GET /health/ready`, no token): a status per component and nothing an
 * attacker could use (no addresses, errors or timings). The details are `GET /api/admin/health`'s.
 * `ok`: everything up; `degraded`: the database is up, an LLM upstream is not; `down`: the database
 * is down (503).
 */
export const readinessSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  database: z.object({ status: z.enum(['up', 'down']) }),
  llm: z.array(z.object({ provider: z.string(), status: componentStatusSchema })),
});
export type Readiness = z.infer<typeof readinessSchema>;

export const upstreamHealthSchema = z.object({
  provider: z.string(),
  kind: z.string(),
  baseUrl: z.string(),
  status: componentStatusSchema,
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  circuit: z.enum(['closed', 'open', 'half-open']).optional(),
  /** Models whose own circuit is open or half-open; the upstream's other models still serve. */
  failingModels: z.array(z.object({ model: z.string(), circuit: z.enum(['open', 'half-open']) })).optional(),
  inFlight: z.number().int().optional(),
  queued: z.number().int().optional(),
});
export type UpstreamHealth = z.infer<typeof upstreamHealthSchema>;

/** `GET /api/admin/health` (admins only): readiness with the addresses, errors, circuits and timings. */
export const healthDetailsSchema = z.object({
  status: readinessSchema.shape.status,
  database: z.object({
    status: z.enum(['up', 'down']),
    latencyMs: z.number(),
    error: z.string().optional(),
  }),
  llm: z.array(upstreamHealthSchema),
});
export type HealthDetails = z.infer<typeof healthDetailsSchema>;
