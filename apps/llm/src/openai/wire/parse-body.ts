import type { z } from 'zod';
import { OpenAiHttpError } from '../openai-error';

/** Validates a request body; the first problem becomes OpenAI's 400 with `param` naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw OpenAiHttpError.invalidRequest('The body must be a JSON object (Content-Type: application/json).');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0];
  const param = first && first.path.length > 0 ? formatPath(first.path) : null;
  const message = issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${formatPath(issue.path)}: ${issue.message}` : issue.message))
    .join('; ');
  throw OpenAiHttpError.invalidRequest(`Invalid request: ${message}`, param);
}

/** `['messages', 0, 'content']` → `messages[0].content`, as OpenAI names a parameter. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
