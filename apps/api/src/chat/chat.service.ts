import type { ServerResponse } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { boundForLog, type SendMessageBody, type TokenUsage } from '@sluice/contracts';
import { type LlmMessage, LlmRegistry, type LlmUsage } from '@sluice/llm-provider';
import { ApiException } from '../common/api.exception';
import { type ApiLlmError, describeLlmError } from '../common/llm-errors';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { AnswerLeases } from '../conversations/answer-leases';
import type { ConversationEntity } from '../conversations/conversation.entity';
import { ConversationsService } from '../conversations/conversations.service';
import { type AnswerOutcome, MessagesService, type StartedExchange } from '../conversations/messages.service';
import { UsageRecordsService } from '../usage/usage-records.service';
import type { UserEntity } from '../users/user.entity';
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

function tokenUsage(usage: LlmUsage): TokenUsage {
  return {
    ...(usage.promptTokens === undefined ? {} : { promptTokens: usage.promptTokens }),
    ...(usage.completionTokens === undefined ? {} : { completionTokens: usage.completionTokens }),
    ...(usage.totalTokens === undefined ? {} : { totalTokens: usage.totalTokens }),
  };
}

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
    const { exchange } = prepared;
    const assistantId = exchange.assistantMessage.id;
    res.writeHead(200, { ...prepared.rateLimitHeaders, ...SSE_HEADERS, 'x-request-id': requestId });
    res.flushHeaders();
    const sse = new SseWriter(res, this.config.sseKeepAliveMs);

    let clientGone = false;
    const onClose = () => {
      if (res.writableFinished) return;
      clientGone = true;
      controller.abort(new Error('the client closed the connection'));
    };
    res.on('close', onClose);

    const started = performance.now();
    let ttftMs: number | null = null;
    let text = '';
    let usage: LlmUsage = {};
    let model: string | null = prepared.model ?? null;
    let provider: string | null = null;
    let metaSent = false;
    const sendMeta = async () => {
      if (metaSent) return;
      metaSent = true;
      await sse.event('meta', {
        conversationId: prepared.conversation.id,
        userMessageId: exchange.userMessage.id,
        assistantMessageId: assistantId,
        model,
        provider,
      });
    };
    const outcome = (status: AnswerOutcome['status'], errorCode: string | null): AnswerOutcome => ({
      status,
      content: text,
      model,
      provider,
      promptTokens: usage.promptTokens ?? null,
      completionTokens: usage.completionTokens ?? null,
      ttftMs,
      durationMs: Math.round(performance.now() - started),
      errorCode,
    });

    let final: AnswerOutcome | undefined;
    let terminal: (() => Promise<void>) | undefined;
    /** What went wrong in the library's words (addresses, upstream text): for the log line only. */
    let failure: string | undefined;
    const fail = (error: ApiLlmError) => {
      final = outcome('failed', error.code);
      terminal = () =>
        sse.event('error', {
          code: error.code,
          message: error.message,
          retryable: error.retryable,
          ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
          requestId,
        });
    };

    try {
      const events = this.registry.stream({
        ...(prepared.model === undefined ? {} : { model: prepared.model }),
        messages: prepared.messages,
        signal: controller.signal,
        user: prepared.userId,
        headers: { 'x-request-id': requestId },
      });
      for await (const event of events) {
        if (event.type === 'queued') {
          await sse.event('queued', { position: event.position });
        } else if (event.type === 'start') {
          model = event.model;
          provider = event.provider;
          await sendMeta();
        } else if (event.type === 'text-delta') {
          if (event.text === '') continue;
          ttftMs ??= Math.round(performance.now() - started);
          text += event.text;
          await sendMeta();
          await sse.event('delta', { text: event.text });
        } else if (event.type === 'usage') {
          usage = { ...usage, ...event.usage };
          await sse.event('usage', tokenUsage(usage));
        } else if (event.type === 'finish') {
          usage = { ...usage, ...event.usage };
          final = outcome('complete', null);
          const done = { finishReason: event.reason, usage: tokenUsage(usage) };
          terminal = () => sse.event('done', done);
          break;
        } else if (event.type === 'error') {
          failure = event.error.message;
          const described = controller.signal.aborted ? null : describeLlmError(event.error);
          if (described === null) final = outcome('interrupted', clientGone ? 'client_closed' : 'aborted');
          else fail(described);
          break;
        }
        // reasoning-delta and tool-call are not part of the browser stream (yet).
      }
      if (final === undefined) {
        fail({ code: 'llm_error', message: 'The LLM stream ended without an answer', retryable: true });
      }
    } catch (error) {
      this.logger.error(`LLM stream for answer ${assistantId} threw`, (error as Error).stack);
      fail({ code: 'llm_error', message: 'The LLM call failed unexpectedly', retryable: true });
    }

    // The server is stopping: keep the text, tell a still-connected client.
    const shuttingDown = controller.signal.aborted && controller.signal.reason instanceof ShutdownError;
    if (shuttingDown && !clientGone && final?.status !== 'complete') {
      final = outcome('interrupted', 'server_shutdown');
      terminal = () =>
        sse.event('error', {
          code: 'internal',
          message: 'The server is restarting; the answer was cut short. Send the message again.',
          retryable: true,
          requestId,
        });
    }

    const result = final ?? outcome('interrupted', 'aborted');
    // Stored before the last event goes out: a client that reloads on `done` finds the answer there.
    try {
      await this.messages.finish(assistantId, result);
    } catch (error) {
      this.logger.error(`Could not store the outcome of answer ${assistantId}`, (error as Error).stack);
    }
    await this.account(prepared, result, usage);
    res.off('close', onClose);
    if (!clientGone) {
      await sendMeta();
      if (terminal) await terminal();
      sse.end();
    }
    this.logger.log(
      `answer ${assistantId} ${result.status}${result.errorCode ? ` (${result.errorCode})` : ''}: ` +
        `model=${result.model ?? '-'} provider=${result.provider ?? '-'} ttft=${result.ttftMs ?? '-'}ms ` +
        `duration=${result.durationMs}ms tokens=${result.promptTokens ?? '-'}+${result.completionTokens ?? '-'} ` +
        `request=${requestId}${failure === undefined ? '' : `: ${boundForLog(failure, 500)}`}`,
    );
  }

  /** The usage row and the user's token budget, however the stream ended. Never throws. */
  private async account(prepared: PreparedChat, result: AnswerOutcome, usage: LlmUsage): Promise<void> {
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
    const tokens = usage.totalTokens ?? (usage.promptTokens ?? 0) + (usage.completionTokens ?? 0);
    await this.rateLimit.record(prepared.userId, tokens);
  }
}
