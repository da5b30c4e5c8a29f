import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { type ApiErrorCode, errorResponseSchema } from '@sluice/contracts';
import { z } from 'zod';
import { HTTP_STATUS_BY_CODE } from './api-exception.filter';

/** The OpenAPI 3.0 form of a contracts schema: the documentation is generated from what validates. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as SchemaObject;
}

export const ApiZodBody = (schema: z.ZodType) => ApiBody({ schema: openApiSchema(schema, 'input') });

export const ApiZodResponse = (status: number, schema: z.ZodType, description?: string) =>
  ApiResponse({
    status,
    schema: openApiSchema(schema),
    ...(description === undefined ? {} : { description }),
  });

/** One documented query parameter per property of an object schema. */
export function ApiZodQuery(schema: z.ZodType): MethodDecorator {
  const json = openApiSchema(schema, 'input');
  const required = new Set(json.required ?? []);
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), schema: property as SchemaObject }),
    ),
  );
}

/** Documents the error answers a route can give, grouped by status, in the one error shape. */
export function ApiErrors(...codes: ApiErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of codes) {
    const status = HTTP_STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const schema = openApiSchema(errorResponseSchema);
  return applyDecorators(
    ...[...byStatus].map(([status, grouped]) =>
      ApiResponse({ status, description: `error: ${grouped.join(' | ')}`, schema }),
    ),
  );
}
