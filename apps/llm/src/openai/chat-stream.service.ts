import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  LlmError,
  SLUICE_HEADERS,
  SLUICE_STREAM_EVENTS,
  LlmRegistry,
  type LlmRequest,
  type LlmStreamEvent,
  type LlmUsage,
} from '@sluice/llm-provider';
import { GATEWAY_CONFIG } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';
import { noteFailure } from './call-labels';
import { CallTracker } from './call-tracker';
import { ChunkBuilder } from './chat-response.builder';
import { type ErrorContext, fromLlmError } from './openai-error';
import { SseWriter } from './sse-writer';

export interface StreamChatOptions {
  request: FastifyRequest;
  reply: FastifyReply;
  llmRequest: LlmRequest;
  /** The model id the caller sent, echoed in every chunk. */
  model: string;
  includeUsage: boolean;
  /** The caller (a Sluice API) reads `SLUICE_STREAM_EVENTS`: its place in the queue, then who serves. */
  gatewayEvents: boolean;
}

type Step = IteratorResult<LlmStreamEvent, unknown>;
const HOLD_EXPIRED = Symbol('hold expired');

const isContent = (event: LlmStreamEvent) =>
  event.type === 'text-delta' || event.type === 'reasoning-delta' || event.type === 'tool-call';

/**
 * Streams one chat completion as OpenAI's SSE. The 200 is held back until the first content event
 * (or the end): a call that fails before producing anything answers a real HTTP error, which the
 * caller can retry or fall back from. The hold lasts at most one keep-alive interval, after which
 * the headers go out and keep-alive comments keep the connection warm; for a caller that reads the
 * gateway's own events it also ends when the call is queued, so the caller can show its place. A
 * failure after that ends the stream with OpenAI's in-stream `data: {"error":...}` and no `[DONE]`.
 */
@Injectable()
export class ChatStreamService {
  constructor(
    private readonly registry: LlmRegistry,
    private readonly tracker: CallTracker,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Resolves once the response is done; rejects (before any byte is written) with the error to answer. */
  async stream(options: StreamChatOptions): Promise<void> {
    const iterator = this.registry.stream(options.llmRequest)[Symbol.asyncIterator]();
    try {
      const held = await this.hold(iterator, options);
      await this.send(iterator, held, options);
    } finally {
      // Closes the upstream request if we stopped early (client gone, write failure).
      void iterator.return?.(undefined)?.catch(() => undefined);
    }
  }

  /** Reads events until the first content or terminal event, or until the hold expires. */
  private async hold(
    iterator: AsyncIterator<LlmStreamEvent>,
    options: StreamChatOptions,
  ): Promise<{ events: LlmStreamEvent[]; pending: Promise<Step> | undefined }> {
    const events: LlmStreamEvent[] = [];
    const expiry = holdExpiry(this.config.keepAliveMs);
    try {
      for (;;) {
        const pending = iterator.next();
        const step = await Promise.race([pending, expiry.expired]);
        if (step === HOLD_EXPIRED) return { events, pending };
        if (step.done) return { events, pending: undefined };
        const event = step.value;
        this.observe(event, options);
        if (event.type === 'error') throw this.tracker.explain(event.error);
        events.push(event);
        if (isContent(event) || event.type === 'finish') return { events, pending: undefined };
        if (event.type === 'queued' && options.gatewayEvents) return { events, pending: undefined };
      }
    } finally {
      expiry.cancel();
    }
  }

  private async send(
    iterator: AsyncIterator<LlmStreamEvent>,
    held: { events: LlmStreamEvent[]; pending: Promise<Step> | undefined },
    options: StreamChatOptions,
  ): Promise<void> {
    const { reply } = options;
    reply.hijack();
    const writer = new SseWriter(reply.raw, this.config.keepAliveMs);
    const chunks = new ChunkBuilder(options.model, options.includeUsage);
    const start = held.events.find((event) => event.type === 'start');
    const state: StreamState = {
      writer,
      chunks,
      usage: undefined,
      ended: false,
      failed: false,
      servedBySent: !!start,
    };
    try {
      if (start) {
        void reply.header(SLUICE_HEADERS.servedByProvider, start.provider);
        void reply.header(SLUICE_HEADERS.servedByModel, start.model);
      }
      writer.start(headersOf(reply));
      if (await writer.data(chunks.role())) await this.relay(iterator, held, state, options);
    } catch (error) {
      options.request.log.error({ err: error }, 'the chat stream failed');
      options.request.sluice.call.outcome = 'internal';
      state.failed = true;
      if (writer.open) {
        const failure = new LlmError('upstream', 'the gateway failed mid-stream');
        await writer.json(fromLlmError(failure, this.errorContext(options)).toBody());
      }
    } finally {
      if (state.failed) {
        options.request.sluice.call.failedMidStream = true;
        writer.abort();
      } else {
        writer.end();
      }
    }
  }

  /** Writes the held events, then the rest of the stream, until its end or the client's. */
  private async relay(
    iterator: AsyncIterator<LlmStreamEvent>,
    held: { events: LlmStreamEvent[]; pending: Promise<Step> | undefined },
    state: StreamState,
    options: StreamChatOptions,
  ): Promise<void> {
    for (const event of held.events) {
      if (!(await this.emit(event, state, options)) || state.ended) return;
    }
    let pending = held.pending ?? iterator.next();
    for (;;) {
      const step = await pending;
      if (step.done) {
        // The library promises a terminal event; never let a quiet end look like a clean one.
        const error = new LlmError('upstream', 'the stream ended without a finish');
        await this.emit({ type: 'error', error }, state, options);
        return;
      }
      this.observe(step.value, options);
      if (!(await this.emit(step.value, state, options)) || state.ended) return;
      pending = iterator.next();
    }
  }

  /** Writes one event; `false` when the client is gone. */
  private async emit(
    event: LlmStreamEvent,
    state: StreamState,
    options: StreamChatOptions,
  ): Promise<boolean> {
    const { writer, chunks } = state;
    const call = options.request.sluice.call;
    switch (event.type) {
      case 'queued':
        if (!options.gatewayEvents) return true;
        return writer.event(SLUICE_STREAM_EVENTS.queued, { position: event.position });
      case 'start':
        if (event.warnings.length > 0)
          options.request.log.warn({ warnings: event.warnings }, 'upstream warnings');
        // The headers left before a slot was found (the call was queued): say who serves now.
        if (!options.gatewayEvents || state.servedBySent) return true;
        state.servedBySent = true;
        return writer.event(SLUICE_STREAM_EVENTS.start, { provider: event.provider, model: event.model });
      case 'text-delta':
        return writer.data(chunks.text(event.text));
      case 'reasoning-delta':
        return writer.data(chunks.reasoning(event.text));
      case 'tool-call':
        return writer.data(chunks.toolCall(event.call));
      case 'usage':
        state.usage = event.usage;
        return true;
      case 'finish': {
        state.ended = true;
        const usage = hasCounts(event.usage) ? event.usage : (state.usage ?? event.usage);
        call.usage = usage;
        call.finishReason = event.rawReason ?? event.reason;
        if (!(await writer.data(chunks.finish(event.reason)))) return false;
        if (options.includeUsage && !(await writer.data(chunks.usage(usage)))) return false;
        const delivered = await writer.done();
        if (delivered) call.outcome = 'ok';
        return delivered;
      }
      case 'error': {
        state.ended = true;
        state.failed = true;
        const error = this.tracker.explain(event.error);
        call.outcome = error.code;
        noteFailure(call, error);
        if (error.code !== 'aborted') {
          options.request.log.warn(
            { code: error.code, error: error.message },
            'the upstream failed mid-stream',
          );
        }
        return writer.json(fromLlmError(error, this.errorContext(options)).toBody());
      }
    }
  }

  private errorContext(options: StreamChatOptions): ErrorContext {
    return {
      requestId: options.request.id,
      maxRetryAfterMs: this.config.llm.resilience.backoff.maxRetryAfterMs,
    };
  }

  private observe(event: LlmStreamEvent, options: StreamChatOptions): void {
    const call = options.request.sluice.call;
    // The upstream that actually served (a fallback chain may have moved on from the first).
    if (event.type === 'start') call.provider = event.provider;
    if (event.type === 'error' && event.error.provider !== undefined) call.provider = event.error.provider;
    if (isContent(event) && call.firstTokenAt === undefined) call.firstTokenAt = performance.now();
  }
}

interface StreamState {
  writer: SseWriter;
  chunks: ChunkBuilder;
  usage: LlmUsage | undefined;
  ended: boolean;
  /** It ended with an error after the 200: the response is cut, not closed. */
  failed: boolean;
  /** Who serves is known to the caller (in the headers, or a `sluice.start` event). */
  servedBySent: boolean;
}

function hasCounts(usage: LlmUsage): boolean {
  return usage.promptTokens !== undefined || usage.completionTokens !== undefined;
}

/** The headers Fastify would have sent (x-request-id), which a hijacked reply must write itself. */
function headersOf(reply: FastifyReply): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined && name !== 'content-length' && name !== 'content-type') out[name] = value;
  }
  return out;
}

/** One timer for the whole hold (not one per event read during it). */
function holdExpiry(ms: number): { expired: Promise<typeof HOLD_EXPIRED>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof HOLD_EXPIRED>((resolve) => {
    timer = setTimeout(() => resolve(HOLD_EXPIRED), ms);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}
