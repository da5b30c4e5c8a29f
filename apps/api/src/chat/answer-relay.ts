import type { LlmStreamEvent } from '@sluice/llm-provider';
import { type ApiLlmError, describeLlmError } from '../common/llm-errors';
import type { AnswerOutcome } from '../conversations/messages.service';
import { AnswerDraft } from './answer-draft';
import type { PreparedChat } from './chat.service';
import type { SseWriter } from './sse-writer';

/** How an answer ended: the row it becomes, the browser's last event, and for the log what went wrong. */
export interface AnswerEnd {
  outcome: AnswerOutcome;
  terminal?: () => Promise<void>;
  /** The library's own words (addresses, upstream text): for the log line only. */
  failure?: string;
}

/** Why the stream is being read no more, when it was stopped from this side. */
export interface StopState {
  aborted: boolean;
  clientGone: boolean;
}

/**
 * Turns the library's events for one answer into the browser stream (`meta` once, `queued`, `delta`,
 * `usage`, then `done` or `error`) while the draft collects what the answer becomes.
 */
export class AnswerRelay {
  readonly draft: AnswerDraft;
  private metaSent = false;

  constructor(
    private readonly sse: SseWriter,
    private readonly prepared: PreparedChat,
    private readonly requestId: string,
  ) {
    this.draft = new AnswerDraft(prepared.model ?? null);
  }

  /** Writes one event; the answer's end when the event is terminal. `stop` is asked only on an error. */
  async forward(event: LlmStreamEvent, stop: () => StopState): Promise<AnswerEnd | undefined> {
    const { draft, sse } = this;
    switch (event.type) {
      case 'queued':
        await sse.event('queued', { position: event.position });
        return undefined;
      case 'start':
        draft.served(event.model, event.provider);
        await this.sendMeta();
        return undefined;
      case 'text-delta':
        if (event.text === '') return undefined;
        draft.addText(event.text);
        await this.sendMeta();
        await sse.event('delta', { text: event.text });
        return undefined;
      case 'usage':
        draft.addUsage(event.usage);
        await sse.event('usage', draft.tokenUsage());
        return undefined;
      case 'finish': {
        draft.addUsage(event.usage);
        const done = { finishReason: event.reason, usage: draft.tokenUsage() };
        return { outcome: draft.outcome('complete', null), terminal: () => sse.event('done', done) };
      }
      case 'error': {
        const { aborted, clientGone } = stop();
        const described = aborted ? null : describeLlmError(event.error);
        const end = described
          ? this.failed(described)
          : { outcome: draft.outcome('interrupted', clientGone ? 'client_closed' : 'aborted') };
        return { ...end, failure: event.error.message };
      }
      default:
        // reasoning-delta and tool-call are not part of the browser stream (yet).
        return undefined;
    }
  }

  /** The answer failed: stored `failed` with its text, the browser told in an `error` event. */
  failed(error: ApiLlmError): AnswerEnd {
    const data = {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      requestId: this.requestId,
    };
    return {
      outcome: this.draft.outcome('failed', error.code),
      terminal: () => this.sse.event('error', data),
    };
  }

  /** The server is stopping: the text is kept, a still-connected browser is told to send again. */
  serverShutdown(): AnswerEnd {
    const data = {
      code: 'internal' as const,
      message: 'The server is restarting; the answer was cut short. Send the message again.',
      retryable: true,
      requestId: this.requestId,
    };
    return {
      outcome: this.draft.outcome('interrupted', 'server_shutdown'),
      terminal: () => this.sse.event('error', data),
    };
  }

  /** The last events (after the answer is stored: a client that reloads on `done` finds it there). */
  async close(end: AnswerEnd): Promise<void> {
    await this.sendMeta();
    if (end.terminal) await end.terminal();
    this.sse.end();
  }

  private async sendMeta(): Promise<void> {
    if (this.metaSent) return;
    this.metaSent = true;
    const { conversation, exchange } = this.prepared;
    await this.sse.event('meta', {
      conversationId: conversation.id,
      userMessageId: exchange.userMessage.id,
      assistantMessageId: exchange.assistantMessage.id,
      model: this.draft.model,
      provider: this.draft.provider,
    });
  }
}
