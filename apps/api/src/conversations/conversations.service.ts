import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { CreateConversationBody, UpdateConversationBody } from '@sluice/contracts';
import { Repository } from 'typeorm';
import { ApiException } from '../common/api.exception';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { ConversationEntity } from './conversation.entity';
import { MessageEntity } from './message.entity';

/**
 * Conversations are always looked up by id AND owner: someone else's conversation is `not_found`,
 * exactly like one that does not exist.
 */
@Injectable()
export class ConversationsService {
  constructor(
    @InjectRepository(ConversationEntity) private readonly conversations: Repository<ConversationEntity>,
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
  ) {}

  /** Most recently active first (a new message moves a conversation up), by cursor. */
  async list(
    userId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: ConversationEntity[]; nextCursor: string | null }> {
    const query = this.conversations
      .createQueryBuilder('c')
      .where('c.userId = :userId', { userId })
      .orderBy('c.updatedAt', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit + 1);
    if (cursor !== undefined) {
      const after = decodeCursor(cursor);
      query.andWhere('(c.updatedAt, c.id) < (:at, :id)', { at: after.at, id: after.id });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.updatedAt, id: last.id }) : null,
    };
  }

  async create(userId: string, body: CreateConversationBody): Promise<ConversationEntity> {
    const inserted = await this.conversations.insert({
      userId,
      title: body.title ?? null,
      model: body.model ?? null,
    });
    return this.conversations.findOneByOrFail({ id: (inserted.identifiers[0] as { id: string }).id });
  }

  async getOwned(userId: string, id: string): Promise<ConversationEntity> {
    const conversation = await this.conversations.findOneBy({ id, userId });
    if (!conversation) throw ApiException.notFound('Conversation');
    return conversation;
  }

  async update(userId: string, id: string, body: UpdateConversationBody): Promise<ConversationEntity> {
    const conversation = await this.getOwned(userId, id);
    await this.conversations.update(
      { id: conversation.id, userId },
      {
        ...(body.title === undefined ? {} : { title: body.title }),
        ...(body.model === undefined ? {} : { model: body.model }),
      },
    );
    return this.getOwned(userId, id);
  }

  /** Deletes the conversation and its messages. */
  async remove(userId: string, id: string): Promise<void> {
    const result = await this.conversations.delete({ id, userId });
    if (!result.affected) throw ApiException.notFound('Conversation');
  }

  /** Oldest first. */
  async listMessages(userId: string, id: string): Promise<MessageEntity[]> {
    const conversation = await this.getOwned(userId, id);
    return this.messages
      .createQueryBuilder('m')
      .where('m.conversationId = :id', { id: conversation.id })
      .orderBy('m.seq', 'ASC')
      .getMany();
  }
}
