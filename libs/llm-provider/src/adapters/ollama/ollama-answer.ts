import type { LlmFinishReason, LlmToolCall, LlmUsage } from '../../contract';
import { newToolCallId } from '../shared/tool-call-id';
import type { OllamaChatRecord, OllamaToolCall } from './ollama-wire';

/** Ollama leaves zero counts out (Go `omitempty`): absent on the final record means 0. */
export function toUsage(record: Pick<OllamaChatRecord, 'prompt_eval_count' | 'eval_count'>): LlmUsage {
  const promptTokens = record.prompt_eval_count ?? 0;
  const completionTokens = record.eval_count ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/** Ollama sends each call whole, `arguments` as an object; ours are JSON text with an id. */
export function toToolCalls(calls: OllamaToolCall[] | undefined): LlmToolCall[] {
  return (calls ?? []).map((call) => ({
    id: call.id ?? newToolCallId(),
    name: call.function.name,
    arguments: JSON.stringify(call.function.arguments ?? {}),
  }));
}

/** Ollama says `stop` after tool calls too: the calls decide. */
export function fromOllamaDoneReason(reason: string | undefined, calledTools: boolean): LlmFinishReason {
  if (calledTools) return 'tool_calls';
  if (reason === 'stop') return 'stop';
  if (reason === 'length') return 'length';
  return 'other';
}
