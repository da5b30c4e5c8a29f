import { z } from 'zod';
import { apiErrorCodeSchema } from './errors';

export const modelInfoSchema = z.object({
  /** Pass it as `model` when creating a conversation or sending a message. */
  id: z.string(),
  provider: z.string(),
  contextLength: z.number().int().optional(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const modelListSchema = z.object({
  models: z.array(modelInfoSchema),
  /** Upstreams that could not be listed; the models of the others are still there. */
  unavailable: z.array(z.object({ provider: z.string(), code: apiErrorCodeSchema, message: z.string() })),
});
export type ModelList = z.infer<typeof modelListSchema>;
