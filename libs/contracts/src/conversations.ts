import { z } from 'zod';
import { modelIdSchema } from './model-id';
import { storedTextSchema } from './stored-text';

export const TITLE_MAX_LENGTH = 200;

const title = storedTextSchema
  .trim()
  .min(1, 'must not be blank')
  .max(TITLE_MAX_LENGTH, `must be at most ${TITLE_MAX_LENGTH} characters`);

export const createConversationBodySchema = z.object({
  title: title.optional(),
  /** The model new messages use unless they name one. */
  model: modelIdSchema.optional(),
});
export type CreateConversationBody = z.infer<typeof createConversationBodySchema>;

export const updateConversationBodySchema = z
  .object({
    title: title.optional(),
    model: modelIdSchema.nullable().optional(),
  })
  .refine((body) => body.title !== undefined || body.model !== undefined, {
    message: 'give a title or a model to change',
  });
export type UpdateConversationBody = z.infer<typeof updateConversationBodySchema>;

export const PAGE_LIMIT_DEFAULT = 20;
export const PAGE_LIMIT_MAX = 100;

/** Query of a paged list: newest first; `cursor` is the `nextCursor` of the previous page. */
export const pagingQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(PAGE_LIMIT_MAX, `must be at most ${PAGE_LIMIT_MAX}`)
    .default(PAGE_LIMIT_DEFAULT),
  cursor: z.string().min(1).max(200).optional(),
});
export type PagingQuery = z.infer<typeof pagingQuerySchema>;

export const conversationSchema = z.object({
  id: z.uuid(),
  /** `null` until the user names it or the first message does. */
  title: z.string().nullable(),
  model: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationPageSchema = z.object({
  items: z.array(conversationSchema),
  /** Pass it as `cursor` for the next page; `null` on the last page. */
  nextCursor: z.string().nullable(),
});
export type ConversationPage = z.infer<typeof conversationPageSchema>;

export const MESSAGE_ROLES = ['system', 'user', 'assistant'] as const;
export const messageRoleSchema = z.enum(MESSAGE_ROLES);
export type MessageRole = z.infer<typeof messageRoleSchema>;

/**
 * `streaming` while an answer is being generated; `interrupted` when the client went away (or the
 * server stopped) before the end; `failed` when the upstream failed. The text produced so far is kept.
 */
export const MESSAGE_STATUSES = ['complete', 'streaming', 'interrupted', 'failed'] as const;
export const messageStatusSchema = z.enum(MESSAGE_STATUSES);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const messageSchema = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  role: messageRoleSchema,
  content: z.string(),
  status: messageStatusSchema,
  model: z.string().nullable(),
  provider: z.string().nullable(),
  promptTokens: z.number().int().nullable(),
  completionTokens: z.number().int().nullable(),
  /** Milliseconds from the request to the first text. */
  ttftMs: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  errorCode: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Message = z.infer<typeof messageSchema>;

export const messageListSchema = z.object({ items: z.array(messageSchema) });
export type MessageList = z.infer<typeof messageListSchema>;
