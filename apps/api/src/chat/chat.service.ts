import type { ServerResponse } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { boundForLog, type SendMessageBody } from '@sluice/contracts';
import { type LlmMessage, LlmRegistry } from '@sluice/llm-provider';
import { ApiException } from '../common/api.exception';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { AnswerLeases } from '../conversations/answer-leases';
import type { ConversationEntity } from '../conversations/conversation.entity';
import { ConversationsService } from '../conversations/conversations.service';
import { type AnswerOutcome, MessagesService, type StartedExchange } from '../conversations/messages.service';
import { UsageRecordsService } from '../usage/usage-records.service';
import type { UserEntity } from '../users/user.entity';
import { type AnswerEnd, AnswerRelay } from './answer-relay';
import { ChatRateLimit } from './chat-rate-limit';
import { HistoryBudget } from './history-budget';
import { SSE_HEADERS, SseWriter } from './sse-writer';

/** Everything checked and stored before the stream starts (failures up to here answer JSON). */
export interface PreparedChat {
  userId: string;
  conversation: ConversationEntity;
  exchange: StartedExchange;
  messages: LlmMessage[];
  model: string | undefined;
  /** The `x-ratelimit-*` headers of the admitted request (none without per-user limits). */
  rateLimitHeaders: Record<string, string>;
}

interface ActiveStream {
  controller: AbortController;
  finished: Promise<void>;
}

const SHUTDOWN_GRACE_MS = 5_000;

class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
}

/**
 * The chat stream: the user's message is stored, the model's answer streams to the browser as
 * `meta`, `delta`..., `usage`, then `done` or `error`, and the answer row is finalised however the
 * stream ends (complete, failed upstream, client gone, server stopping) with the text produced so far.
 */
@Injectable()
export class ChatService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ChatService.name);
  private readonly active = new Set<ActiveStream>();

  constructor(
    @Inject(API_CONFIG) private readonly config: RuntimeConfig,
    private readonly registry: LlmRegistry,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly leases: AnswerLeases,
    private readonly rateLimit: ChatRateLimit,
    private readonly usageRecords: UsageRecordsService,
  ) {}

  async prepare(user: UserEntity, conversationId: string, body: SendMessageBody): Promise<PreparedChat> {
    if (body.content.length > this.config.maxMessageChars) {
      throw new ApiException(
        'payload_too_large',
        `The message is ${body.content.length} characters long; the limit is ${this.config.maxMessageChars}`,
        { details: { limit: this.config.maxMessageChars, length: body.content.length } },
      );
    }
    const conversation = await this.conversations.getOwned(user.id, conversationId);
    // Before anything is stored: a refused message leaves no trace (429 JSON).
    const rateLimitHeaders = await this.rateLimit.admit(user.id);
    const model = body.model ?? conversation.model ?? undefined;
    // The newest earlier messages that fit the model's window and the request size limit.
    const window = await this.registry.contextWindow(model);
    const budget = HistoryBudget.for(this.config.chatHistory, window, body.content);
    const history = budget.fit(await this.messages.history(conversation.id, budget.loadLimit));
    const exchange = await this.messages.start(
      conversation,
      body.content,
      model ?? null,
      this.config.chatUserMaxStreams,
    );
    return {
      userId: user.id,
      conversation,
      exchange,
      model,
      rateLimitHeaders,
      messages: [
        ...history.map((message): LlmMessage => ({ role: message.role, content: message.content })),
        { role: 'user', content: body.content },
      ],
    };
  }

  /** Streams the answer on the raw response (already hijacked from Fastify). Never throws. */
  async stream(prepared: PreparedChat, res: ServerResponse, requestId: string): Promise<void> {
    const controller = new AbortController();
    let release!: () => void;
    const entry: ActiveStream = { controller, finished: new Promise<void>((resolve) => (release = resolve)) };
    this.active.add(entry);
    const releaseLease = this.leases.hold(prepared.exchange.assistantMessage.id);
    try {
      await this.run(prepared, res, requestId, controller);
    } catch (error) {
      this.logger.error(
        `Chat stream ${prepared.exchange.assistantMessage.id} crashed`,
        (error as Error).stack,
      );
      if (!res.destroyed && !res.writableEnded) res.end();
    } finally {
      releaseLease();
      this.active.delete(entry);
      release();
    }
  }

  /** Stops the open streams (their rows become `interrupted`, the text kept) before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.active.size === 0) return;
    this.logger.warn(`Stopping ${this.active.size} open chat stream(s)`);
    const open = [...this.active];
    for (const stream of open) stream.controller.abort(new ShutdownError('the server is shutting down'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(open.map((stream) => stream.finished)),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS))),
    ]);
    clearTimeout(timer);
  }

  private async run(
    prepared: PreparedChat,
    res: ServerResponse,
    requestId: string,
    controller: AbortController,
  ): Promise<void> {
    const assistantId = prepared.exchange.assistantMessage.id;
    res.writeHead(200, { ...prepared.rateLimitHeaders, ...SSE_HEADERS, 'x-request-id': requestId });
    res.flushHeaders();
    const relay = new AnswerRelay(new SseWriter(res, this.config.sseKeepAliveMs), prepared, requestId);
    const client = watchClient(res, controller);

    let end = await this.relayAnswer(prepared, relay, controller, client, requestId);
    const shuttingDown = controller.signal.aborted && controller.signal.reason instanceof ShutdownError;
    if (shuttingDown && !client.gone && end.outcome.status !== 'complete') end = relay.serverShutdown();

    try {
      await this.messages.finish(assistantId, end.outcome);
    } catch (error) {
      this.logger.error(`Could not store the outcome of answer ${assistantId}`, (error as Error).stack);
    }
    await this.account(prepared, end.outcome, relay.draft.totalTokens());
    client.stopWatching();
    if (!client.gone) await relay.close(end);
    this.logger.log(describeEnd(assistantId, end, requestId));
  }

  /** Reads the library's stream into the browser's until the answer ends. Never throws. */
  private async relayAnswer(
    prepared: PreparedChat,
    relay: AnswerRelay,
    controller: AbortController,
    client: WatchedClient,
    requestId: string,
  ): Promise<AnswerEnd> {
    try {
      const events = this.registry.stream({
        ...(prepared.model === undefined ? {} : { model: prepared.model }),
        messages: prepared.messages,
        signal: controller.signal,
        user: prepared.userId,
        headers: { 'x-request-id': requestId },
      });
      const stop = () => ({ aborted: controller.signal.aborted, clientGone: client.gone });
      for await (const event of events) {
        const end = await relay.forward(event, stop);
        if (end) return end;
      }
      return relay.failed({
        code: 'llm_error',
        message: 'The LLM stream ended without an answer',
        retryable: true,
      });
    } catch (error) {
      const answer = prepared.exchange.assistantMessage.id;
      this.logger.error(`LLM stream for answer ${answer} threw`, (error as Error).stack);
      return relay.failed({
        code: 'llm_error',
        message: 'The LLM call failed unexpectedly',
        retryable: true,
      });
    }
  }

  /** The usage row and the user's token budget, however the stream ended. Never throws. */
  private async account(prepared: PreparedChat, result: AnswerOutcome, tokens: number): Promise<void> {
    const assistantId = prepared.exchange.assistantMessage.id;
    try {
      await this.usageRecords.record({
        caller: 'web',
        userId: prepared.userId,
        conversationId: prepared.conversation.id,
        assistantMessageId: assistantId,
        model: result.model,
        provider: result.provider,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        ttftMs: result.ttftMs,
        durationMs: result.durationMs,
        outcome: result.status,
        errorCode: result.errorCode,
      });
    } catch (error) {
      this.logger.error(`Could not record the usage of answer ${assistantId}`, (error as Error).stack);
    }
    await this.rateLimit.record(prepared.userId, tokens);
  }
}

interface WatchedClient {
  /** The browser closed the connection before the answer's end. */
  readonly gone: boolean;
  stopWatching(): void;
}

/** A browser that goes away aborts the answer's LLM call. */
function watchClient(res: ServerResponse, controller: AbortController): WatchedClient {
  const client = {
    gone: false,
    stopWatching: () => res.off('close', onClose),
  };
  const onClose = () => {
    if (res.writableFinished) return;
    client.gone = true;
    controller.abort(new Error('the client closed the connection'));
  };
  res.on('close', onClose);
  return client;
}

function describeEnd(assistantId: string, end: AnswerEnd, requestId: string): string {
  const result = end.outcome;
  return (
    `answer ${assistantId} ${result.status}${result.errorCode ? ` (${result.errorCode})` : ''}: ` +
    `model=${result.model ?? '-'} provider=${result.provider ?? '-'} ttft=${result.ttftMs ?? '-'}ms ` +
    `duration=${result.durationMs}ms tokens=${result.promptTokens ?? '-'}+${result.completionTokens ?? '-'} ` +
    `request=${requestId}${end.failure === undefined ? '' : `: ${boundForLog(end.failure, 500)}`}`
  );
}
