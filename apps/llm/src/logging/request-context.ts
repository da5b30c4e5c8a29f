import type { LlmUsage } from '@sluice/llm-provider';
import type { Outcome } from '../openai/openai-error';

export type Endpoint = 'chat_completions' | 'embeddings' | 'models';

/** What one model call did: filled in by the controllers, read once when the response closes. */
export interface CallRecord {
  endpoint?: Endpoint;
  stream?: boolean;
  /** The model as the caller named it. */
  model?: string;
  provider?: string;
  outcome?: Outcome;
  /** performance.now() of the first text, reasoning or tool-call event. */
  firstTokenAt?: number;
  usage?: LlmUsage;
  finishReason?: string;
  /** What went wrong, in the library's words (addresses, upstream text): for the log line only. */
  error?: string;
  /** The stream was ended without its closing chunk on purpose, after an in-stream error. */
  failedMidStream?: boolean;
  /** The prompt, only when LLM_LOG_PROMPTS=true. */
  prompt?: unknown;
}

export interface RequestContext {
  requestId: string;
  /** The end user the API acts for (`x-sluice-user`). */
  userId?: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  call: CallRecord;
}

declare module 'fastify' {
  interface FastifyRequest {
    sluice: RequestContext;
  }
}
