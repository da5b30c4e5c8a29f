import type { Conversation, Message } from '@sluice/contracts';
import type { ConversationEntity } from './conversation.entity';
import type { MessageEntity } from './message.entity';

export function toConversationDto(conversation: ConversationEntity): Conversation {
  return {
    id: conversation.id,
    title: conversation.title,
    model: conversation.model,
    createdAt: conversation.createdAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
  };
}

export function toMessageDto(message: MessageEntity): Message {
  return {
    id: message.id,
    conversationId: message.conversationId,
    role: message.role,
    content: message.content,
    status: message.status,
    model: message.model,
    provider: message.provider,
    promptTokens: message.promptTokens,
    completionTokens: message.completionTokens,
    ttftMs: message.ttftMs,
    durationMs: message.durationMs,
    errorCode: message.errorCode,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
  };
}
