import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { MessageStatus } from '@sluice/contracts';
import { DataSource, type EntityManager, In, Repository } from 'typeorm';
import { ApiException } from '../common/api.exception';
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

/** How much of a conversation `history` may load, newest first. */
export interface HistoryLimit {
  /** What the messages loaded may add up to, each counted as its UTF-8 bytes plus `bytesPerMessage`. */
  maxBytes: number;
  bytesPerMessage: number;
}

export type HistoryMessage = Pick<MessageEntity, 'role' | 'content'>;

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

  /**
   * The context sent to the model: the newest earlier messages that completed or were cut short,
   * as many as fit `limit`, oldest first. One query that reads no more than can fit: the newest rows
   * by the (conversation_id, seq) index, at most as many as the limit could hold, and a running total
   * of their sizes (`octet_length` reads the stored length; only the rows returned are read whole).
   */
  async history(conversationId: string, limit: HistoryLimit): Promise<HistoryMessage[]> {
    const mostRows = Math.floor(limit.maxBytes / (limit.bytesPerMessage + 1));
    if (mostRows < 1) return [];
    return this.messages.query<HistoryMessage[]>(
      `SELECT role, content
         FROM (SELECT seq, role, content,
                      sum(octet_length(content) + $3) OVER (ORDER BY seq DESC ROWS UNBOUNDED PRECEDING) AS bytes
                 FROM (SELECT seq, role, content
                         FROM messages
                        WHERE conversation_id = $1
                          AND status IN ('complete', 'interrupted')
                          AND content <> ''
                        ORDER BY seq DESC
                        LIMIT $4) newest) counted
        WHERE bytes <= $2
        ORDER BY seq`,
      [conversationId, limit.maxBytes, limit.bytesPerMessage, mostRows],
    );
  }

  /** Stores the user's message and a `streaming` answer in one transaction, and moves the conversation up. */
  async start(
    conversation: ConversationEntity,
    content: string,
    requestedModel: string | null,
    maxStreaming: number | undefined,
  ): Promise<StartedExchange> {
    return this.dataSource.transaction(async (manager) => {
      if (maxStreaming !== undefined)
        await this.refuseOverStreamLimit(manager, conversation.userId, maxStreaming);
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

  /**
   * A user's answers still streaming, on any replica, are the rows marked so (a dead replica's are
   * swept to `interrupted` by the answer leases). The per-user lock makes count-then-insert one step:
   * two messages sent at once cannot both take the last slot.
   */
  private async refuseOverStreamLimit(manager: EntityManager, userId: string, max: number): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [userId]);
    const [row] = await manager.query<[{ streaming: number }]>(
      `SELECT count(*)::int AS streaming FROM messages WHERE status = 'streaming' AND user_id = $1`,
      [userId],
    );
    if (row.streaming < max) return;
    throw new ApiException(
      'too_many_streams',
      `${max} answers are already being written for you; wait for one to finish, or stop one`,
      { details: { limit: max } },
    );
  }

  /**
   * Stores how an answer ended. A model may write U+0000, which PostgreSQL's text cannot hold (a
   * caller's NUL is refused at the door; the model's cannot be): it is stored as U+FFFD.
   */
  async finish(id: string, outcome: AnswerOutcome): Promise<void> {
    await this.messages.update(
      { id },
      { ...outcome, content: outcome.content.replaceAll('\u0000', '\uFFFD') },
    );
  }
}
