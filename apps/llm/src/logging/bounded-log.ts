import { boundForLog } from '@sluice/contracts';

/** A string field of a log line: room for an upstream's error message, not for a caller's payload. */
const FIELD_MAX = 1_024;
/** Room for a stack's frames; its first line is the error's message, which may quote the caller. */
const STACK_MAX = 8_192;

/**
 * pino's `formatters.log`: every top-level string field of a gateway log line, bounded, whoever
 * wrote the line (the request line, a stream's upstream failure, Nest's messages): what a caller or
 * an upstream sends reaches the logs cut, never whole.
 */
export function boundLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  let bounded: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value !== 'string') continue;
    const cut = boundForLog(value, key === 'stack' ? STACK_MAX : FIELD_MAX);
    if (cut === value) continue;
    bounded ??= { ...fields };
    bounded[key] = cut;
  }
  return bounded ?? fields;
}

/** pino's `err` serializer: the error's type, code, message and stack, the last two bounded. */
export function errorForLog(error: Error): { type: string; message: string; stack: string; code?: string } {
  const value: unknown = error;
  if (!(value instanceof Error))
    return { type: typeof value, message: boundForLog(String(value), FIELD_MAX), stack: '' };
  const code = (value as { code?: unknown }).code;
  return {
    type: value.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: boundForLog(value.message, FIELD_MAX),
    stack: boundForLog(value.stack ?? '', STACK_MAX),
  };
}
