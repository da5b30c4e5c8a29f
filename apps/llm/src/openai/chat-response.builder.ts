import { randomBytes } from 'node:crypto';
import type { LlmChatResult, LlmFinishReason, LlmToolCall, LlmUsage } from '@sluice/llm-provider';

export type OpenAiFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * Our finish reasons to OpenAI's. `other` (an upstream reason we do not know, such as Ollama's
 * `unload`) becomes `stop`: the generation ended without a length cut, a filter or a tool call, and
 * clients only accept OpenAI's values. The raw reason is in the request log.
 */
export function toOpenAiFinishReason(reason: LlmFinishReason): OpenAiFinishReason {
  return reason === 'other' ? 'stop' : reason;
}

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Upstreams that report nothing get zeros: OpenAI's usage fields are always numbers. */
export function toOpenAiUsage(usage: LlmUsage): OpenAiUsage {
  const prompt = usage.promptTokens ?? 0;
  const completion = usage.completionTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.totalTokens ?? prompt + completion,
  };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `chatcmpl-` and 29 letters or digits, like OpenAI's ids. */
export function newCompletionId(): string {
  let id = 'chatcmpl-';
  for (const byte of randomBytes(29)) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

function toOpenAiToolCall(call: LlmToolCall): OpenAiToolCall {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

/** A non-streamed `chat.completion`. `model` is the caller's model id, so it routes back. */
export function buildChatCompletion(result: LlmChatResult, model: string) {
  const toolCalls = result.toolCalls.map(toOpenAiToolCall);
  return {
    id: newCompletionId(),
    object: 'chat.completion' as const,
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: result.text === '' && toolCalls.length > 0 ? null : result.text,
          refusal: null,
          ...(result.reasoning ? { reasoning: result.reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toOpenAiFinishReason(result.finishReason),
      },
    ],
    usage: toOpenAiUsage(result.usage),
  };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  reasoning?: string;
  tool_calls?: (Partial<OpenAiToolCall> & { index: number })[];
}

/**
 * The `chat.completion.chunk` objects of one stream: they share `id`, `created` and `model`; with
 * `include_usage` every chunk carries `usage: null` but the last, which has `choices: []`.
 */
export class ChunkBuilder {
  readonly id = newCompletionId();
  readonly created = Math.floor(Date.now() / 1000);
  private toolCallIndex = 0;

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  role() {
    return this.chunk({ role: 'assistant', content: '' }, null);
  }

  text(text: string) {
    return this.chunk({ content: text }, null);
  }

  reasoning(text: string) {
    return this.chunk({ reasoning: text }, null);
  }

  /** A whole call in one fragment: clients concatenate `arguments` per index, so one piece is valid. */
  toolCall(call: LlmToolCall) {
    const index = this.toolCallIndex++;
    return this.chunk({ tool_calls: [{ index, ...toOpenAiToolCall(call) }] }, null);
  }

  finish(reason: LlmFinishReason) {
    return this.chunk({}, toOpenAiFinishReason(reason));
  }

  usage(usage: LlmUsage) {
    return { ...this.base(), choices: [], usage: toOpenAiUsage(usage) };
  }

  private chunk(delta: ChunkDelta, finishReason: OpenAiFinishReason | null) {
    return {
      ...this.base(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }

  private base() {
    return {
      id: this.id,
      object: 'chat.completion.chunk' as const,
      created: this.created,
      model: this.model,
    };
  }
}
