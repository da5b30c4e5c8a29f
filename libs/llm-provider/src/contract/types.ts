import type { LlmError } from './errors';

/** Bumped only by additive changes; a breaking change gets a new version beside this one. */
export const LLM_PROVIDER_SPEC_VERSION = 'v1' as const;

/** Which adapter speaks to an upstream; `sluice-gateway` is a Sluice gateway (stage two). */
export type ProviderKind = 'ollama' | 'openai' | 'vllm' | 'sluice-gateway';

export type JsonSchema = Record<string, unknown>;

export interface LlmToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the model produced them. */
  arguments: string;
}

export type LlmMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; images?: string[] }
  | { role: 'assistant'; content: string; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; content: string; toolCallId: string; toolName?: string };

export interface LlmToolDefinition {
  name: string;
  description?: string;
  parameters: JsonSchema;
}

export type LlmToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type LlmResponseFormat =
  { type: 'text' } | { type: 'json'; schema?: JsonSchema; name?: string; strict?: boolean };

/** Deadlines for one call; each is optional and measured from the call's start unless noted. */
export interface LlmTimeouts {
  /** Until the upstream answers with headers. */
  connectMs?: number;
  /** Until the first text, reasoning or tool-call event. */
  firstTokenMs?: number;
  /** The longest gap between two events once tokens flow. */
  idleMs?: number;
  /** The whole call. */
  totalMs?: number;
}

export interface LlmCallOptions {
  model: string;
  messages: LlmMessage[];
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseFormat?: LlmResponseFormat;
  tools?: LlmToolDefinition[];
  toolChoice?: LlmToolChoice;
  /** Aborting it closes the upstream HTTP request, so the model server stops generating. */
  signal?: AbortSignal;
  /** Extra headers for the upstream request (a request id, say). */
  headers?: Record<string, string>;
  timeouts?: LlmTimeouts;
  /** The end user on whose behalf the call is made, for upstream attribution. */
  user?: string;
  /** Provider-specific settings keyed by provider kind; merged last into the upstream body. */
  providerOptions?: Partial<Record<ProviderKind, Record<string, unknown>>>;
}

export type LlmFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface LlmUsage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

export type LlmStreamEvent =
  /** Waiting for a free slot on a busy upstream; sent again each time the position changes. */
  | { type: 'queued'; provider: string; position: number }
  | { type: 'start'; provider: string; model: string; warnings: string[] }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'tool-call'; call: LlmToolCall }
  | { type: 'usage'; usage: LlmUsage }
  | { type: 'finish'; reason: LlmFinishReason; rawReason?: string; usage: LlmUsage }
  | { type: 'error'; error: LlmError };

export interface LlmChatResult {
  provider: string;
  model: string;
  text: string;
  reasoning?: string;
  toolCalls: LlmToolCall[];
  finishReason: LlmFinishReason;
  rawFinishReason?: string;
  usage: LlmUsage;
  warnings: string[];
}

export interface LlmEmbedOptions {
  model: string;
  input: string[];
  dimensions?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  timeouts?: LlmTimeouts;
  user?: string;
}

export interface LlmEmbedResult {
  provider: string;
  model: string;
  embeddings: number[][];
  usage: LlmUsage;
}

export interface LlmModelInfo {
  id: string;
  provider: string;
  contextLength?: number;
  ownedBy?: string;
  /** A LoRA adapter or a fine-tune names the model it derives from. */
  parent?: string;
  /** Behind a Sluice gateway: the provider there that serves the model (`provider` is the gateway). */
  servedBy?: string;
}

export interface LlmRequestOptions {
  signal?: AbortSignal;
  timeouts?: LlmTimeouts;
}

export interface LlmHealth {
  ok: boolean;
  provider: string;
  kind: ProviderKind;
  baseUrl: string;
  latencyMs: number;
  error?: { code: string; message: string };
  /** The circuit breaker's view (registry health only): an open circuit is skipped without a call. */
  circuit?: 'closed' | 'open' | 'half-open';
  /** Models on this upstream whose own circuit is not closed (the server's may well be). */
  failingModels?: { model: string; circuit: 'open' | 'half-open' }[];
  inFlight?: number;
  queued?: number;
}

/**
 * The provider contract. `stream()` always ends with exactly one `finish` or one `error` event and
 * never throws; the other methods reject with an `LlmError`.
 */
export interface LlmProvider {
  readonly specificationVersion: typeof LLM_PROVIDER_SPEC_VERSION;
  /** The configured name (unique in a registry). */
  readonly id: string;
  readonly kind: ProviderKind;
  /** Where the upstream is (no credentials). */
  readonly baseUrl: string;
  chat(options: LlmCallOptions): Promise<LlmChatResult>;
  stream(options: LlmCallOptions): AsyncIterable<LlmStreamEvent>;
  embed(options: LlmEmbedOptions): Promise<LlmEmbedResult>;
  listModels(options?: LlmRequestOptions): Promise<LlmModelInfo[]>;
  health(options?: LlmRequestOptions): Promise<LlmHealth>;
  /**
   * The model's context window in tokens, where the upstream says (`undefined` where it does not).
   * Optional, so providers written before it still satisfy the contract: no method means unknown.
   */
  contextWindow?(model: string, options?: LlmRequestOptions): Promise<number | undefined>;
}
