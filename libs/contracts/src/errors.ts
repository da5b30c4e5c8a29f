import { z } from 'zod';

/**
 * The stable error codes of the HTTP API. Clients branch on these, never on messages, so a code is
 * only ever added, never renamed or reused.
 */
export const API_ERROR_CODES = [
  'validation_failed',
  'unauthorized',
  'forbidden',
  'wrong_password',
  'not_found',
  'conflict',
  'rate_limited',
  'too_many_streams',
  'payload_too_large',
  'llm_unavailable',
  'llm_timeout',
  'model_not_found',
  'context_length_exceeded',
  'llm_bad_request',
  'llm_error',
  'internal',
] as const;

export const apiErrorCodeSchema = z.enum(API_ERROR_CODES);
export type ApiErrorCode = z.infer<typeof apiErrorCodeSchema>;

/** One field-level problem of a `validation_failed` error. */
export const validationIssueSchema = z.object({
  /** Dotted path of the field (`email`, `items.0.title`); empty for the body as a whole. */
  path: z.string(),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof validationIssueSchema>;

/** Every error the API answers has this shape, whatever the route. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: apiErrorCodeSchema,
    message: z.string(),
    details: z.unknown().optional(),
  }),
  requestId: z.string(),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
