import {
  LLM_PROVIDER_SPEC_VERSION,
  LlmError,
  type LlmCallOptions,
  type LlmChatResult,
  type LlmEmbedOptions,
  type LlmEmbedResult,
  type LlmHealth,
  type LlmModelInfo,
  type LlmProvider,
  type LlmRequestOptions,
  type LlmStreamEvent,
  type LlmTimeouts,
} from '../../contract';
import { guardStream, type RawStreamEvent, type StreamProgress, withDeadline } from '../../stream';
import { classifyLocalFailure, classifyNetworkFailure } from '../shared/classify';
import {
  bodyChunks,
  type HttpRequest,
  type HttpTarget,
  httpTarget,
  lowerCaseKeys,
  readAll,
  send,
} from '../shared/http-transport';
import { mergeTimeouts } from '../shared/merge-timeouts';
import type { ProviderSettings } from '../shared/provider-settings';
import { fromOllamaDoneReason, toToolCalls, toUsage } from './ollama-answer';
import { OllamaChatReader, type OllamaWireContext } from './ollama-chat-reader';
import { contextWindowOf, type OllamaShown } from './ollama-context-window';
import { ollamaHttpError } from './ollama-http';
import { toOllamaChatBody } from './ollama-request';
import type { OllamaChatRecord, OllamaEmbedAnswer, OllamaTags } from './ollama-wire';

type Endpoint = 'chat' | 'embed' | 'tags' | 'show' | 'version';

/** A call's own options, as every method takes them. */
interface CallOptions {
  signal?: AbortSignal;
  timeouts?: LlmTimeouts;
  headers?: Record<string, string>;
}

/**
 * Ollama's native API (docs/wire-formats.md#ollama), every call over the shared node:http transport.
 * A stream is one POST `/api/chat` whose NDJSON body is read as it arrives by `OllamaChatReader` (the
 * library's one NDJSON decoder) and mapped to contract events. The other calls (non-streamed chat,
 * embed, tags, show, version) are one JSON request and answer each. The official `ollama` package is
 * not used: its client would parse the stream a second time (and skips lines it cannot parse), its
 * types lack the fields the server sends (tool-call ids), and the direct path is shorter than the
 * fetch shim it needed for deadlines and classified errors.
 */
export class OllamaProvider implements LlmProvider {
  readonly specificationVersion = LLM_PROVIDER_SPEC_VERSION;
  readonly kind = 'ollama' as const;
  readonly id: string;
  readonly baseUrl: string;
  private readonly timeouts: LlmTimeouts;
  /** What every request carries; a call's own headers go on top. */
  private readonly headers: Record<string, string>;
  private readonly targets: Record<Endpoint, HttpTarget>;
  private readonly wire: OllamaWireContext;

  constructor(settings: ProviderSettings) {
    this.id = settings.id;
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.timeouts = settings.timeouts ?? {};
    this.wire = { provider: this.id, url: this.baseUrl };
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json, application/x-ndjson',
      'user-agent': 'sluice-llm-provider',
      ...lowerCaseKeys(settings.headers),
    };
    const target = (path: string) => httpTarget(new URL(`${this.baseUrl}${path}`));
    this.targets = {
      chat: target('/api/chat'),
      embed: target('/api/embed'),
      tags: target('/api/tags'),
      show: target('/api/show'),
      version: target('/api/version'),
    };
  }

  stream(options: LlmCallOptions): AsyncIterable<LlmStreamEvent> {
    return guardStream({
      provider: this.id,
      ...(options.signal ? { signal: options.signal } : {}),
      timeouts: mergeTimeouts(this.timeouts, options.timeouts),
      open: (signal, progress) => this.rawStream(options, signal, progress),
      classify: (error, started) => this.classify(error, started),
    });
  }

  async chat(options: LlmCallOptions): Promise<LlmChatResult> {
    const { body, warnings } = toOllamaChatBody(options, false);
    const answer = await this.call<OllamaChatRecord>(options, 'chat', body);
    const message = answer.message ?? {};
    const toolCalls = toToolCalls(message.tool_calls);
    return {
      provider: this.id,
      model: options.model,
      text: message.content ?? '',
      ...(message.thinking ? { reasoning: message.thinking } : {}),
      toolCalls,
      finishReason: fromOllamaDoneReason(answer.done_reason, toolCalls.length > 0),
      ...(answer.done_reason ? { rawFinishReason: answer.done_reason } : {}),
      usage: toUsage(answer),
      warnings,
    };
  }

  async embed(options: LlmEmbedOptions): Promise<LlmEmbedResult> {
    const answer = await this.call<OllamaEmbedAnswer>(options, 'embed', {
      model: options.model,
      input: options.input,
      ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
    });
    const promptTokens = answer.prompt_eval_count ?? 0;
    return {
      provider: this.id,
      model: options.model,
      embeddings: answer.embeddings,
      usage: { promptTokens, totalTokens: promptTokens },
    };
  }

  async listModels(options: LlmRequestOptions = {}): Promise<LlmModelInfo[]> {
    const answer = await this.call<OllamaTags>(options, 'tags');
    return answer.models.map((model) => ({ id: model.name, provider: this.id }));
  }

  /** From `POST /api/show`: the trained context length, or the Modelfile's smaller `num_ctx`. */
  async contextWindow(model: string, options: LlmRequestOptions = {}): Promise<number | undefined> {
    return contextWindowOf(await this.call<OllamaShown>(options, 'show', { model }));
  }

  async health(options: LlmRequestOptions = {}): Promise<LlmHealth> {
    const started = performance.now();
    const base = { provider: this.id, kind: this.kind, baseUrl: this.baseUrl };
    try {
      const timeouts = { totalMs: this.timeouts.connectMs ?? 5_000, ...options.timeouts };
      await this.call({ ...options, timeouts }, 'version');
      return { ...base, ok: true, latencyMs: performance.now() - started };
    } catch (error) {
      const failure = error as LlmError;
      return {
        ...base,
        ok: false,
        latencyMs: performance.now() - started,
        error: { code: failure.code, message: failure.message },
      };
    }
  }

  /** One request for one JSON answer (a GET without `body`), under the call's deadline and signal. */
  private call<T>(options: CallOptions, endpoint: Endpoint, body?: unknown): Promise<T> {
    const timeouts = mergeTimeouts(this.timeouts, options.timeouts);
    return withDeadline(
      {
        provider: this.id,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(timeouts.totalMs === undefined ? {} : { timeoutMs: timeouts.totalMs }),
        classify: (error) => this.classify(error, false),
      },
      async (signal) => {
        const request = this.request(options, signal, body);
        const answer = await send(this.targets[endpoint], request);
        if (answer.status >= 300) throw await ollamaHttpError(answer, this.wire);
        return JSON.parse(await readAll(answer.body)) as T;
      },
    );
  }

  private request(options: CallOptions, signal: AbortSignal, body?: unknown): HttpRequest {
    const headers = options.headers ? { ...this.headers, ...lowerCaseKeys(options.headers) } : this.headers;
    return body === undefined
      ? { method: 'GET', headers, signal }
      : { method: 'POST', headers, body: JSON.stringify(body), signal };
  }

  private async *rawStream(
    options: LlmCallOptions,
    signal: AbortSignal,
    progress: StreamProgress,
  ): AsyncGenerator<RawStreamEvent> {
    const { body, warnings } = toOllamaChatBody(options, true);
    // Ollama writes its headers with its first record, after loading the model, waiting for a slot
    // and reading the prompt: the connect deadline ends when the connection is open, the rest counts
    // toward the first token.
    const request = { ...this.request(options, signal, body), connected: () => progress.connected() };
    const answer = await send(this.targets.chat, request);
    if (answer.status >= 300) throw await ollamaHttpError(answer, this.wire);
    yield { type: 'start', provider: this.id, model: options.model, warnings };

    const reader = new OllamaChatReader(this.wire);
    const state: RecordState = { last: undefined, toolCalls: 0 };
    for await (const bytes of bodyChunks(answer.body)) {
      for (const event of eventsOf(reader.push(bytes), state)) yield event;
      if (reader.failure) throw reader.failure;
    }
    for (const event of eventsOf(reader.end(), state)) yield event;
    if (reader.failure) throw reader.failure;
    // A body that ended before its final record: the guard reports the truncation.
    if (!reader.done || !state.last) return;
    const usage = toUsage(state.last);
    const reason = state.last.done_reason;
    yield { type: 'usage', usage };
    yield {
      type: 'finish',
      reason: fromOllamaDoneReason(reason, state.toolCalls > 0),
      ...(reason ? { rawReason: reason } : {}),
      usage,
    };
  }

  private classify(error: unknown, started: boolean): LlmError {
    if (LlmError.is(error)) return error;
    return (
      classifyNetworkFailure(error, { provider: this.id, url: this.baseUrl, started }) ??
      classifyLocalFailure(error, this.id) ??
      new LlmError('upstream', `${this.id}: ${error instanceof Error ? error.message : String(error)}`, {
        provider: this.id,
        url: this.baseUrl,
        cause: error,
      })
    );
  }
}

/** What a stream's records add up to, read as they come. */
interface RecordState {
  last: OllamaChatRecord | undefined;
  toolCalls: number;
}

/** The text, reasoning and tool calls a batch of records carries. */
function eventsOf(records: OllamaChatRecord[], state: RecordState): RawStreamEvent[] {
  const events: RawStreamEvent[] = [];
  for (const record of records) {
    state.last = record;
    const message = record.message;
    if (!message) continue;
    if (message.thinking) events.push({ type: 'reasoning-delta', text: message.thinking });
    if (message.content) events.push({ type: 'text-delta', text: message.content });
    for (const call of toToolCalls(message.tool_calls)) {
      state.toolCalls++;
      events.push({ type: 'tool-call', call });
    }
  }
  return events;
}
