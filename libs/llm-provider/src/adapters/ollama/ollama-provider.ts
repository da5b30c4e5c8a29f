import { Ollama, type ChatResponse, type ToolCall } from 'ollama';
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
  type LlmToolCall,
  type LlmUsage,
} from '../../contract';
import { guardStream, type RawStreamEvent, type StreamProgress, withDeadline } from '../../stream';
import { classifyLocalFailure, classifyNetworkFailure } from '../shared/classify';
import { mergeTimeouts } from '../shared/merge-timeouts';
import { newToolCallId } from '../shared/tool-call-id';
import type { ProviderSettings } from '../shared/provider-settings';
import { contextWindowOf } from './ollama-context-window';
import { ollamaFetch } from './ollama-fetch';
import { fromOllamaDoneReason, toOllamaChatBody } from './ollama-request';

/** Tool calls on the wire carry an id the package's types leave out. */
type WireToolCall = ToolCall & { id?: string };

/** Ollama's native API (NDJSON streaming) through the official `ollama` package. */
export class OllamaProvider implements LlmProvider {
  readonly specificationVersion = LLM_PROVIDER_SPEC_VERSION;
  readonly kind = 'ollama' as const;
  readonly id: string;
  readonly baseUrl: string;
  private readonly timeouts: LlmTimeouts;
  private readonly headers: Record<string, string>;

  constructor(settings: ProviderSettings) {
    this.id = settings.id;
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.timeouts = settings.timeouts ?? {};
    this.headers = settings.headers ?? {};
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
    const response = await this.call(options, (client) => client.chat({ ...body, stream: false }));
    const toolCalls = toToolCalls(response.message.tool_calls);
    const finishReason = fromOllamaDoneReason(response.done_reason, toolCalls.length > 0);
    return {
      provider: this.id,
      model: options.model,
      text: response.message.content ?? '',
      ...(response.message.thinking ? { reasoning: response.message.thinking } : {}),
      toolCalls,
      finishReason,
      ...(response.done_reason ? { rawFinishReason: response.done_reason } : {}),
      usage: toUsage(response),
      warnings,
    };
  }

  async embed(options: LlmEmbedOptions): Promise<LlmEmbedResult> {
    const response = await this.call(options, (client) =>
      client.embed({
        model: options.model,
        input: options.input,
        ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
      }),
    );
    const promptTokens = (response as { prompt_eval_count?: number }).prompt_eval_count ?? 0;
    return {
      provider: this.id,
      model: options.model,
      embeddings: response.embeddings,
      usage: { promptTokens, totalTokens: promptTokens },
    };
  }

  async listModels(options: LlmRequestOptions = {}): Promise<LlmModelInfo[]> {
    const response = await this.call(options, (client) => client.list());
    return response.models.map((model) => ({ id: model.name, provider: this.id }));
  }

  /** From `POST /api/show`: the trained context length, or the Modelfile's smaller `num_ctx`. */
  async contextWindow(model: string, options: LlmRequestOptions = {}): Promise<number | undefined> {
    return contextWindowOf(await this.call(options, (client) => client.show({ model })));
  }

  async health(options: LlmRequestOptions = {}): Promise<LlmHealth> {
    const started = performance.now();
    const base = { provider: this.id, kind: this.kind, baseUrl: this.baseUrl };
    try {
      await this.call(
        { ...options, timeouts: { totalMs: this.timeouts.connectMs ?? 5_000, ...options.timeouts } },
        (client) => client.version(),
      );
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

  private client(
    signal: AbortSignal,
    headers: Record<string, string> | undefined,
    connected?: () => void,
  ): Ollama {
    return new Ollama({
      host: this.baseUrl,
      fetch: ollamaFetch({
        provider: this.id,
        baseUrl: this.baseUrl,
        signal,
        ...(connected ? { connected } : {}),
      }),
      headers: { ...this.headers, ...headers },
    });
  }

  private call<T>(
    options: { signal?: AbortSignal; timeouts?: LlmTimeouts; headers?: Record<string, string> },
    request: (client: Ollama) => Promise<T>,
  ): Promise<T> {
    const timeouts = mergeTimeouts(this.timeouts, options.timeouts);
    return withDeadline(
      {
        provider: this.id,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(timeouts.totalMs === undefined ? {} : { timeoutMs: timeouts.totalMs }),
        classify: (error) => this.classify(error, false),
      },
      (signal) => request(this.client(signal, options.headers)),
    );
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
    const client = this.client(signal, options.headers, () => progress.connected());
    const chunks = await client.chat({ ...body, stream: true });
    yield { type: 'start', provider: this.id, model: options.model, warnings };
    let toolCallCount = 0;
    for await (const chunk of chunks) {
      const message = chunk.message;
      if (message?.thinking) yield { type: 'reasoning-delta', text: message.thinking };
      if (message?.content) yield { type: 'text-delta', text: message.content };
      for (const call of toToolCalls(message?.tool_calls)) {
        toolCallCount++;
        yield { type: 'tool-call', call };
      }
      if (chunk.done) {
        const usage = toUsage(chunk);
        yield { type: 'usage', usage };
        yield {
          type: 'finish',
          reason: fromOllamaDoneReason(chunk.done_reason, toolCallCount > 0),
          ...(chunk.done_reason ? { rawReason: chunk.done_reason } : {}),
          usage,
        };
        return;
      }
    }
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

/** Ollama leaves zero counts out (Go `omitempty`): absent on the final record means 0. */
function toUsage(response: Partial<Pick<ChatResponse, 'prompt_eval_count' | 'eval_count'>>): LlmUsage {
  const promptTokens = response.prompt_eval_count ?? 0;
  const completionTokens = response.eval_count ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/** Ollama sends each call whole, `arguments` as an object; ours are JSON text with an id. */
function toToolCalls(calls: WireToolCall[] | undefined): LlmToolCall[] {
  return (calls ?? []).map((call) => ({
    id: call.id ?? newToolCallId(),
    name: call.function.name,
    arguments: JSON.stringify(call.function.arguments ?? {}),
  }));
}
