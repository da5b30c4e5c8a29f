import { randomUUID } from 'node:crypto';
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

/**
 * `chatcmpl-` and 29 letters or digits, like OpenAI's ids. From `randomUUID` (122 random bits, drawn
 * from a cached entropy pool): `randomBytes` per stream cost more than building every chunk of it.
 */
export function newCompletionId(): string {
  return `chatcmpl-${randomUUID().replaceAll('-', '').slice(0, 29)}`;
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

/**
 * The `chat.completion.chunk` events of one stream, as the JSON text each `data:` line carries. They
 * share `id`, `created` and `model`; with `include_usage` every chunk carries `usage: null` but the
 * last, which has `choices: []`. Built from templates around the one changing value: this runs once
 * per token for every stream the gateway carries (the spec checks them against the object form).
 */
export class ChunkBuilder {
  readonly id = newCompletionId();
  readonly created = Math.floor(Date.now() / 1000);
  private toolCallIndex = 0;
  private readonly base: string;
  /** Everything up to a delta, and everything after one (`null` finish reason). */
  private readonly beforeDelta: string;
  private readonly afterDelta: string;

  constructor(model: string, includeUsage: boolean) {
    this.base = `{"id":"${this.id}","object":"chat.completion.chunk","created":${this.created},"model":${JSON.stringify(model)}`;
    this.beforeDelta = `${this.base},"choices":[{"index":0,"delta":`;
    this.afterDelta = `,"logprobs":null,"finish_reason":null}]${includeUsage ? ',"usage":null' : ''}}`;
  }

  role(): string {
    return `${this.beforeDelta}{"role":"assistant","content":""}${this.afterDelta}`;
  }

  text(text: string): string {
    return `${this.beforeDelta}{"content":${JSON.stringify(text)}}${this.afterDelta}`;
  }

  reasoning(text: string): string {
    return `${this.beforeDelta}{"reasoning":${JSON.stringify(text)}}${this.afterDelta}`;
  }

  /** A whole call in one fragment: clients concatenate `arguments` per index, so one piece is valid. */
  toolCall(call: LlmToolCall): string {
    const index = this.toolCallIndex++;
    return `${this.beforeDelta}${JSON.stringify({ tool_calls: [{ index, ...toOpenAiToolCall(call) }] })}${this.afterDelta}`;
  }

  finish(reason: LlmFinishReason): string {
    const tail = this.afterDelta.replace(
      '"finish_reason":null',
      `"finish_reason":"${toOpenAiFinishReason(reason)}"`,
    );
    return `${this.beforeDelta}{}${tail}`;
  }

  usage(usage: LlmUsage): string {
    return `${this.base},"choices":[],"usage":${JSON.stringify(toOpenAiUsage(usage))}}`;
  }
}
