import type {
  LlmMessage,
  LlmRequest,
  LlmResponseFormat,
  LlmToolChoice,
  LlmToolCall,
} from '@sluice/llm-provider';
import { OpenAiHttpError } from './openai-error';
import type { ChatMessageBody, ChatRequestBody } from './wire/chat-request.schema';

/** Who is calling and how to stop the call: what the gateway adds to every library call. */
export interface CallerContext {
  requestId: string;
  userId: string | undefined;
  signal: AbortSignal;
}

const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} };

/** An OpenAI Chat Completions body to the library's call options. */
export function toLlmRequest(body: ChatRequestBody, caller: CallerContext): LlmRequest {
  const request: LlmRequest = {
    model: body.model,
    messages: toLlmMessages(body.messages),
    signal: caller.signal,
    headers: { 'x-request-id': caller.requestId },
  };
  if (caller.userId !== undefined) request.user = caller.userId;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.top_k != null) request.topK = body.top_k;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) request.seed = body.seed;
  if (body.presence_penalty != null) request.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) request.frequencyPenalty = body.frequency_penalty;
  const responseFormat = toResponseFormat(body.response_format);
  if (responseFormat) request.responseFormat = responseFormat;
  if (body.tools?.length) {
    request.tools = body.tools.map(({ function: fn }) => ({
      name: fn.name,
      ...(fn.description != null ? { description: fn.description } : {}),
      parameters: fn.parameters ?? EMPTY_OBJECT_SCHEMA,
    }));
  }
  const toolChoice = toToolChoice(body.tool_choice);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  return request;
}

function toResponseFormat(format: ChatRequestBody['response_format']): LlmResponseFormat | undefined {
  switch (format?.type) {
    case undefined:
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      const spec = format.json_schema;
      return {
        type: 'json',
        name: spec.name,
        ...(spec.schema != null ? { schema: spec.schema } : {}),
        ...(spec.strict != null ? { strict: spec.strict } : {}),
      };
    }
  }
}

function toToolChoice(choice: ChatRequestBody['tool_choice']): LlmToolChoice | undefined {
  if (choice == null) return undefined;
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

/**
 * Messages: `developer` is a system message; text parts are joined with a newline; images must be
 * data URLs (the gateway fetches nothing on a caller's behalf) and travel as bare base64; a tool
 * result gets the name of the call it answers, which Ollama wants.
 */
export function toLlmMessages(messages: ChatMessageBody[]): LlmMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((message, index): LlmMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: joinText(message.content) };
      case 'user': {
        if (typeof message.content === 'string') return { role: 'user', content: message.content };
        const texts: string[] = [];
        const images: string[] = [];
        message.content.forEach((part, partIndex) => {
          if (part.type === 'text') texts.push(part.text);
          else
            images.push(
              imageData(part.image_url.url, `messages[${index}].content[${partIndex}].image_url.url`),
            );
        });
        return { role: 'user', content: texts.join('\n'), ...(images.length ? { images } : {}) };
      }
      case 'assistant': {
        const toolCalls: LlmToolCall[] = (message.tool_calls ?? []).map((call) => {
          toolNames.set(call.id, call.function.name);
          return { id: call.id, name: call.function.name, arguments: call.function.arguments };
        });
        const content =
          message.content == null
            ? ''
            : typeof message.content === 'string'
              ? message.content
              : message.content.map((part) => (part.type === 'text' ? part.text : part.refusal)).join('\n');
        return { role: 'assistant', content, ...(toolCalls.length ? { toolCalls } : {}) };
      }
      case 'tool': {
        const toolName = toolNames.get(message.tool_call_id);
        return {
          role: 'tool',
          content: joinText(message.content),
          toolCallId: message.tool_call_id,
          ...(toolName === undefined ? {} : { toolName }),
        };
      }
    }
  });
}

function joinText(content: string | { text: string }[]): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('\n');
}

const DATA_URL = /^data:image\/[a-z0-9.+-]+(;[a-z0-9=.+-]+)*;base64,([A-Za-z0-9+/=\s]+)$/i;

function imageData(url: string, param: string): string {
  const match = DATA_URL.exec(url);
  if (!match?.[2]) {
    throw OpenAiHttpError.invalidRequest(
      'image_url must be a base64 data URL (data:image/...;base64,...); the gateway does not fetch remote images',
      param,
    );
  }
  return match[2].replace(/\s+/g, '');
}
