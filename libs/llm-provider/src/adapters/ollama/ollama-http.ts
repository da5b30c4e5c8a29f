import type { LlmError } from '../../contract';
import { classifyHttpFailure } from '../shared/classify';
import { type HttpAnswer, readText } from '../shared/http-transport';
import type { OllamaWireContext } from './ollama-chat-reader';

/**
 * An HTTP error answer: Ollama writes `{"error":"…"}` (a plain-text body from a proxy in front of it is
 * the message itself); the status and Retry-After classify it.
 */
export async function ollamaHttpError(answer: HttpAnswer, context: OllamaWireContext): Promise<LlmError> {
  const text = await readText(answer.body).catch(() => '');
  let message = text.trim() || answer.body.statusMessage || 'no body';
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // A plain-text body: keep it as the message.
  }
  return classifyHttpFailure({
    status: answer.status,
    message,
    headers: answer.headers,
    provider: context.provider,
    url: context.url,
  });
}
