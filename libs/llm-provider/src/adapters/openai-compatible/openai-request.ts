import type OpenAI from 'openai';
import type { LlmCallOptions, LlmFinishReason, LlmMessage } from '../../contract';

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming;
type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;

export interface RequestShape {
  /** `max_completion_tokens` (OpenAI itself) or `max_tokens` (what every compatible server reads). */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

/** Builds the Chat Completions body (always the streaming form; `chat()` flips `stream`). */
export function toOpenAIChatBody(
  options: LlmCallOptions,
  shape: RequestShape,
): Record<string, unknown> & ChatBody {
  const body: Record<string, unknown> & ChatBody = {
    model: options.model,
    messages: options.messages.map(toOpenAIMessage),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.maxTokens !== undefined) body[shape.maxTokensField] = options.maxTokens;
  if (options.stop !== undefined) body.stop = options.stop;
  if (options.seed !== undefined) body.seed = options.seed;
  if (options.presencePenalty !== undefined) body.presence_penalty = options.presencePenalty;
  if (options.frequencyPenalty !== undefined) body.frequency_penalty = options.frequencyPenalty;
  const format = options.responseFormat;
  if (format?.type === 'json') {
    body.response_format = format.schema
      ? {
          type: 'json_schema',
          json_schema: {
            name: format.name ?? 'response',
            schema: format.schema,
            ...(format.strict === undefined ? {} : { strict: format.strict }),
          },
        }
      : { type: 'json_object' };
  }
  if (options.tools?.length) {
    body.tools = options.tools.map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    }));
  }
  if (options.toolChoice !== undefined) {
    body.tool_choice =
      typeof options.toolChoice === 'string'
        ? options.toolChoice
        : { type: 'function', function: { name: options.toolChoice.name } };
  }
  return body;
}

function toOpenAIMessage(message: LlmMessage): MessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      if (!message.images?.length) return { role: 'user', content: message.content };
      return {
        role: 'user',
        content: [
          { type: 'text', text: message.content },
          ...message.images.map((image) => ({
            type: 'image_url' as const,
            image_url: { url: toImageUrl(image) },
          })),
        ],
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

/** Images travel as bare base64 in our contract (Ollama's form); OpenAI wants a URL. */
function toImageUrl(image: string): string {
  if (/^(data:|https?:)/.test(image)) return image;
  const mime = image.startsWith('iVBOR')
    ? 'image/png'
    : image.startsWith('R0lG')
      ? 'image/gif'
      : image.startsWith('UklGR')
        ? 'image/webp'
        : 'image/jpeg';
  return `data:${mime};base64,${image}`;
}

export function fromOpenAIFinishReason(reason: string | null | undefined): LlmFinishReason {
  switch (reason) {
    case 'stop':
    case 'stop_sequence': // TGI
    case 'eos_token':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}
