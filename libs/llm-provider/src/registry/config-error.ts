import type { z } from 'zod';

/** Thrown at boot for a bad environment; the message names every bad variable. */
export class LlmConfigError extends Error {
  override readonly name = 'LlmConfigError';
  constructor(readonly issues: string[]) {
    super(`Invalid LLM configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
