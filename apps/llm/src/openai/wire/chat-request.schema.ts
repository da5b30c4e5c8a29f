import { modelIdSchema } from '@sluice/contracts';
import { z } from 'zod';

// Chat Completions request bodies (docs/wire-formats.md#openai-request). Unknown fields are dropped,
// as vLLM and Ollama do, so newer clients keep working; fields we cannot honour are refused (see
// `unsupported` below). `null` means "not given" for every optional field: several client libraries
// send explicit nulls.

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.string().nullish() }),
});
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const textContent = z.union([z.string(), z.array(textPart)]);
const userContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart]))]);
const assistantContent = z.union([
  z.string(),
  z.array(z.discriminatedUnion('type', [textPart, refusalPart])),
]);

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: textContent }),
  z.object({ role: z.literal('developer'), content: textContent }),
  z.object({ role: z.literal('user'), content: userContent }),
  z.object({
    role: z.literal('assistant'),
    content: assistantContent.nullish(),
    tool_calls: z.array(toolCall).nullish(),
  }),
  z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) }),
]);

const functionName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a function name is 1 to 64 letters, digits, _ or -');

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: functionName,
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: functionName }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1),
      description: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const positiveInt = z.number().int().positive();

export const chatRequestSchema = z
  .object({
    model: modelIdSchema,
    messages: z.array(message).min(1, 'messages must hold at least one message'),
    stream: z.boolean().nullish(),
    stream_options: z
      .object({ include_usage: z.boolean().nullish(), include_obfuscation: z.boolean().nullish() })
      .nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    top_k: z.number().int().min(-1).nullish(),
    max_tokens: positiveInt.nullish(),
    max_completion_tokens: positiveInt.nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4, 'stop holds at most 4 sequences')]).nullish(),
    seed: z.number().int().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    n: z.number().int().nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    tools: z.array(tool).nullish(),
    tool_choice: toolChoice.nullish(),
    response_format: responseFormat.nullish(),
    user: z.string().nullish(),
    safety_identifier: z.string().nullish(),
  })
  .superRefine((body, ctx) => {
    if (body.stream_options && body.stream !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['stream_options'],
        message: 'stream_options is only allowed when stream is true',
      });
    }
    // Refused rather than ignored: the caller would read a response that is not what it asked for.
    if (body.n !== undefined && body.n !== null && body.n !== 1) {
      ctx.addIssue({ code: 'custom', path: ['n'], message: 'only n=1 is supported' });
    }
    if (body.logprobs === true) {
      ctx.addIssue({ code: 'custom', path: ['logprobs'], message: 'logprobs are not supported' });
    }
    if (typeof body.tool_choice === 'object' && body.tool_choice !== null) {
      const name = body.tool_choice.function.name;
      if (!body.tools?.some((t) => t.function.name === name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tool_choice'],
          message: `tool_choice names the function '${name}', which is not in tools`,
        });
      }
    }
  });

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
export type ChatMessageBody = ChatRequestBody['messages'][number];
