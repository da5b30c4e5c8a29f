import { z } from 'zod';
import { apiErrorCodeSchema } from './errors';
import { modelIdSchema } from './model-id';
import { storedTextSchema } from './stored-text';

/** The API refuses longer messages with `payload_too_large` unless configured otherwise. */
export const DEFAULT_MAX_MESSAGE_CHARS = 32_000;

/** Body of `POST /api/conversations/:id/messages`. The length limit is the server's (`payload_too_large`). */
export const sendMessageBodySchema = z.object({
  content: storedTextSchema.refine((text) => text.trim().length > 0, 'must not be blank'),
  /** Overrides the conversation's model for this answer. */
  model: modelIdSchema.optional(),
});
export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

export const tokenUsageSchema = z.object({
  promptTokens: z.number().int().optional(),
  completionTokens: z.number().int().optional(),
  totalTokens: z.number().int().optional(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'other'] as const;
export const finishReasonSchema = z.enum(FINISH_REASONS);
export type FinishReason = z.infer<typeof finishReasonSchema>;

/** First event: the stored ids, and which model and provider answer (`null` when none could be chosen). */
export const metaEventSchema = z.object({
  conversationId: z.uuid(),
  userMessageId: z.uuid(),
  assistantMessageId: z.uuid(),
  model: z.string().nullable(),
  provider: z.string().nullable(),
});
export const deltaEventSchema = z.object({ text: z.string() });
/** The model server is busy: the answer waits in line (sent again each time the position changes). */
export const queuedEventSchema = z.object({ position: z.number().int().min(1) });
export const usageEventSchema = tokenUsageSchema;
export const doneEventSchema = z.object({ finishReason: finishReasonSchema, usage: tokenUsageSchema });
export const errorEventSchema = z.object({
  code: apiErrorCodeSchema,
  message: z.string(),
  /** Sending the same message again may work (a timeout, an upstream that was down). */
  retryable: z.boolean(),
  /** When the upstream said how long to wait (a rate limit, a full queue). */
  retryAfterMs: z.number().int().min(0).optional(),
  /** The request that failed, as the server logged it: what to quote to an operator. */
  requestId: z.string().optional(),
});

/** The `event:` names of the browser stream, each with the schema of its JSON `data:`. */
export const chatStreamEventSchemas = {
  meta: metaEventSchema,
  queued: queuedEventSchema,
  delta: deltaEventSchema,
  usage: usageEventSchema,
  done: doneEventSchema,
  error: errorEventSchema,
} as const;

export type ChatStreamEventName = keyof typeof chatStreamEventSchemas;
export const CHAT_STREAM_EVENT_NAMES = Object.keys(chatStreamEventSchemas) as ChatStreamEventName[];

export type ChatStreamEvent = {
  [K in ChatStreamEventName]: { event: K; data: z.infer<(typeof chatStreamEventSchemas)[K]> };
}[ChatStreamEventName];

export type MetaEvent = z.infer<typeof metaEventSchema>;
export type DeltaEvent = z.infer<typeof deltaEventSchema>;
export type QueuedEvent = z.infer<typeof queuedEventSchema>;
export type DoneEvent = z.infer<typeof doneEventSchema>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;

/**
 * Checks one received SSE event (`event:` name and `data:` text) against the contract.
 * Returns `undefined` for an event name the contract does not know (ignore it: newer servers may add some).
 */
export function parseChatStreamEvent(event: string, data: string): ChatStreamEvent | undefined {
  if (!Object.hasOwn(chatStreamEventSchemas, event)) return undefined;
  const name = event as ChatStreamEventName;
  return { event: name, data: chatStreamEventSchemas[name].parse(JSON.parse(data)) } as ChatStreamEvent;
}
