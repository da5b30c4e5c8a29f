/**
 * Ollama's native API as its server writes and reads it (`api/types.go`), the parts this adapter uses
 * (docs/wire-formats.md#ollama). Zero counts and empty strings are left out by the server (Go
 * `omitempty`), so every field of an answer is optional here.
 */

export interface OllamaToolCall {
  /** Sent by newer servers (`call_…`); older ones send none. */
  id?: string;
  function: { index?: number; name: string; arguments?: Record<string, unknown> };
}

export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  thinking?: string;
  images?: string[];
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
  tool_call_id?: string;
}

export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** `POST /api/chat`. `options` holds the sampling settings (`temperature`, `num_predict`, ...). */
export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  stream: boolean;
  format?: 'json' | Record<string, unknown>;
  tools?: OllamaTool[];
  options?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** One NDJSON record of a streamed answer, or the whole non-streamed one. */
export interface OllamaChatRecord {
  model?: string;
  message?: Partial<OllamaMessage>;
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  /** A failure after the 200: the server's last record. */
  error?: unknown;
}

/** `POST /api/embed`. */
export interface OllamaEmbedAnswer {
  embeddings: number[][];
  prompt_eval_count?: number;
}

/** `GET /api/tags`. */
export interface OllamaTags {
  models: { name: string }[];
}
