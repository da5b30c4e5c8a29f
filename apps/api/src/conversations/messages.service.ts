import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { MessageStatus } from '@sluice/contracts';
import { DataSource, In, Repository } from 'typeorm';
import { ConversationEntity } from './conversation.entity';
import { MessageEntity } from './message.entity';

export interface StartedExchange {
  userMessage: MessageEntity;
  assistantMessage: MessageEntity;
}

/** What is known about an answer when its stream ends, however it ends. */
export interface AnswerOutcome {
  status: Exclude<MessageStatus, 'streaming'>;
  content: string;
  model: string | null;
  provider: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  ttftMs: number | null;
  durationMs: number;
  errorCode: string | null;
}

const TITLE_FROM_MESSAGE_CHARS = 80;

/** The messages of the chat stream: stored before generation, finalised when the stream ends. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
  ) {}

  /** Marks these answers as still being streamed by this process (see `AnswerLeases`). */
  async renew(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.messages.update({ id: In([...ids]), status: 'streaming' }, { updatedAt: () => 'now()' });
  }

  /**
   * Answers still `streaming` that no process renewed for `staleAfterMs` were left by a process that
   * died mid-answer: they become `interrupted`, their text kept. The database's clock on both sides,
   * so replicas' clocks do not matter; the partial index on `streaming` rows keeps it cheap. Returns
   * how many.
   */
  async interruptStale(staleAfterMs: number): Promise<number> {
    const result = await this.messages
      .createQueryBuilder()
      .update(MessageEntity)
      .set({ status: 'interrupted', errorCode: 'server_restarted' })
      .where("status = 'streaming'")
      .andWhere('updated_at < now() - make_interval(secs => :seconds)', { seconds: staleAfterMs / 1000 })
      .execute();
    return result.affected ?? 0;
  }

  /** The context sent to the model: earlier messages that completed or were cut short, oldest first. */
  async history(conversationId: string): Promise<Pick<MessageEntity, 'role' | 'content'>[]> {
    const rows = await this.messages
      .createQueryBuilder('m')
      .select(['m.role', 'm.content'])
      .where('m.conversationId = :conversationId', { conversationId })
      .andWhere({ status: In(['complete', 'interrupted']) })
      .andWhere("m.content <> ''")
      .orderBy('m.seq', 'ASC')
      .getMany();
    return rows;
  }

  /** Stores the user's message and a `streaming` answer in one transaction, and moves the conversation up. */
  async start(
    conversation: ConversationEntity,
    content: string,
    requestedModel: string | null,
  ): Promise<StartedExchange> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(MessageEntity);
      const base = { conversationId: conversation.id, userId: conversation.userId };
      const userMessage = await repo.save(
        repo.create({ ...base, role: 'user', content, status: 'complete' }),
      );
      const assistantMessage = await repo.save(
        repo.create({ ...base, role: 'assistant', content: '', status: 'streaming', model: requestedModel }),
      );
      const title =
        conversation.title ??
        (content.trim().replace(/\s+/g, ' ').slice(0, TITLE_FROM_MESSAGE_CHARS) || null);
      await manager.getRepository(ConversationEntity).update({ id: conversation.id }, { title });
      return { userMessage, assistantMessage };
    });
  }

  async setModel(id: string, model: string, provider: string): Promise<void> {
    await this.messages.update({ id }, { model, provider });
  }

  async finish(id: string, outcome: AnswerOutcome): Promise<void> {
    await this.messages.update({ id }, outcome);
  }
}
