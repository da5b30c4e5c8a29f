/**
 * What a fake upstream does for one request. Every fake (Ollama, OpenAI, vLLM) reads the same script
 * and renders it in its own server's exact wire format, including its own error shapes.
 */
export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface FakeHttpError {
  status: number;
  message?: string;
  /** OpenAI-style error code string (`model_not_found`, `rate_limit_exceeded`, ...); vLLM sends the status. */
  code?: string;
  /** OpenAI `type` (`invalid_request_error`, ...). */
  type?: string;
  /** Sent as the `retry-after` header (seconds, or an HTTP date). */
  retryAfter?: number | string;
  /** Sent as `retry-after-ms`. */
  retryAfterMs?: number;
}

export interface FakeScript {
  /** Text pieces streamed one event each (default: `['Hello', ',', ' world', '!']`). */
  tokens?: string[];
  /** Reasoning pieces streamed before the text (Ollama `thinking`, vLLM `reasoning`). */
  reasoning?: string[];
  /** Tool calls the model makes after its text; the finish reason becomes `tool_calls`. */
  toolCalls?: FakeToolCall[];
  /** Send the tool calls without ids, as some servers do (older Ollama releases). Ollama only. */
  omitToolCallIds?: boolean;
  /** Default `stop` (or `tool_calls` when there are tool calls). */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Default: prompt 12, completion = number of tokens. */
  usage?: { promptTokens: number; completionTokens: number };
  /** Delay between streamed events, ms (default 0). */
  delayMs?: number;
  /** Hold the response headers back this long, ms. */
  headerDelayMs?: number;
  /** Answer with this HTTP error (in the server's own error shape) instead of a result. */
  httpError?: FakeHttpError;
  /** Destroy the socket as soon as the request arrives: no status line at all. */
  resetConnection?: boolean;
  /** After this many text tokens, destroy the socket mid-body (no terminal record). */
  cutAfterTokens?: number;
  /** After this many text tokens, send the server's in-stream error (under the 200 already sent). */
  errorAfterTokens?: number;
  /** The message of that in-stream error. */
  streamErrorMessage?: string;
  /** After this many text tokens, write a line that is not JSON. */
  malformedAfterTokens?: number;
  /** Send headers, then nothing for this long before the first token, ms (`Infinity`: never). */
  stallBeforeFirstTokenMs?: number;
  /** After `tokens` text tokens, send nothing for `ms` (`Infinity`: never). */
  stallAfter?: { tokens: number; ms: number };
  /** End the body cleanly but leave out the terminal record (`done:true` / finish + `[DONE]`). */
  omitTerminal?: boolean;
  /** Re-cut the whole body into writes of this many bytes (splits UTF-8 characters too). */
  writeChunkBytes?: number;
  /** Embedding vector length (default 8). */
  embeddingDimensions?: number;
}

export interface FakeModel {
  id: string;
  /** Context window reported where the server reports one (vLLM `max_model_len`, Ollama `/api/show`). */
  contextLength?: number;
  /** What calls to this model do when no script is queued: a model that always fails, say. */
  script?: FakeScript;
  /** Ollama: the Modelfile sets `num_ctx` (listed in `/api/show`'s `parameters`). */
  numCtx?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined for no body or a body that is not JSON). */
  body: unknown;
  rawBody: string;
  receivedAt: number;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  /** When the fake saw that (performance.now() milliseconds). */
  abortedAt?: number;
  /** When the response finished or the socket closed. */
  endedAt?: number;
}

export const DEFAULT_TOKENS = ['Hello', ',', ' world', '!'];
