import type { LlmCallOptions } from '../../contract';
import type { OllamaChatBody, OllamaMessage, OllamaTool } from './ollama-wire';

export function toOllamaChatBody(
  options: LlmCallOptions,
  stream: boolean,
): { body: OllamaChatBody; warnings: string[] } {
  const warnings: string[] = [];
  const sampling: Record<string, unknown> = {};
  if (options.temperature !== undefined) sampling.temperature = options.temperature;
  if (options.topP !== undefined) sampling.top_p = options.topP;
  if (options.topK !== undefined) sampling.top_k = options.topK;
  if (options.maxTokens !== undefined) sampling.num_predict = options.maxTokens;
  if (options.stop !== undefined) sampling.stop = options.stop;
  if (options.seed !== undefined) sampling.seed = options.seed;
  if (options.presencePenalty !== undefined) sampling.presence_penalty = options.presencePenalty;
  if (options.frequencyPenalty !== undefined) sampling.frequency_penalty = options.frequencyPenalty;

  const body: OllamaChatBody = {
    model: options.model,
    messages: options.messages.map(toOllamaMessage),
    stream,
  };
  if (options.responseFormat?.type === 'json') body.format = options.responseFormat.schema ?? 'json';

  const toolsOff = options.toolChoice === 'none';
  if (options.tools?.length && !toolsOff) {
    body.tools = options.tools.map((tool): OllamaTool => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    }));
  }
  if (options.toolChoice !== undefined && options.toolChoice !== 'auto' && !toolsOff) {
    warnings.push('Ollama has no tool_choice: the model decides whether to call a tool');
  }

  const { options: extraSampling, ...extra } = (options.providerOptions?.ollama ?? {}) as {
    options?: Record<string, unknown>;
  } & Record<string, unknown>;
  const merged = { ...sampling, ...(extraSampling ?? {}) };
  if (Object.keys(merged).length > 0) body.options = merged;
  Object.assign(body, extra);
  return { body, warnings };
}

function toOllamaMessage(message: LlmCallOptions['messages'][number]): OllamaMessage {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return {
        role: 'user',
        content: message.content,
        ...(message.images ? { images: message.images } : {}),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                function: { name: call.name, arguments: parseArguments(call.arguments) },
              })),
            }
          : {}),
      };
    case 'tool':
      return {
        role: 'tool',
        content: message.content,
        tool_call_id: message.toolCallId,
        ...(message.toolName === undefined ? {} : { tool_name: message.toolName }),
      };
  }
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
