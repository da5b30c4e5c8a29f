import { type PipeTransform } from '@nestjs/common';
import type { ValidationIssue } from '@sluice/contracts';
import type { z } from 'zod';
import { ApiException } from './api.exception';

/** Zod issues as the field-level `details` of `validation_failed`. */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Parses a value (body, query, param) with a contracts schema; the parsed value replaces it. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.output<T> {
    const result = this.schema.safeParse(value, {
      error: (issue) =>
        issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
    });
    if (!result.success) throw ApiException.validation(toValidationIssues(result.error));
    return result.data;
  }
}
