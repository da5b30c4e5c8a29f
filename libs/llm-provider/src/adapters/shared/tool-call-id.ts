import { randomBytes } from 'node:crypto';

/**
 * An id for a tool call the server sent without one (Ollama, some OpenAI-compatible servers). Unique
 * per call, as OpenAI's are: a conversation replays earlier turns' calls, and a client matches each
 * tool result to its call by this id, so `call_0` in every turn would pair results with the wrong call.
 */
export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}
