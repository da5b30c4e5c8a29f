import {
  LLM_PROVIDER_SPEC_VERSION,
  type LlmCallOptions,
  type LlmChatResult,
  type LlmEmbedOptions,
  type LlmEmbedResult,
  type LlmError,
  type LlmHealth,
  type LlmModelInfo,
  type LlmProvider,
  type LlmStreamEvent,
  type ProviderKind,
} from '../contract';
import { guardStream, type RawStreamEvent } from '../stream';

export interface MockLlmProviderOptions {
  id?: string;
  kind?: ProviderKind;
  models?: string[];
  /** The text pieces every stream yields (default `['Hello', ' world']`). */
  tokens?: string[];
  /** Delay before each piece, ms. */
  delayMs?: number;
  /** Every call fails with this error (streams end with it as their error event). */
  failWith?: LlmError;
  /** The context window every model reports (default: none reported). */
  contextWindow?: number;
}

/**
 * An in-memory provider for code that uses the library (services, controllers): no sockets, the
 * contract's guarantees intact (it runs through the same stream guard as the real adapters).
 */
export class MockLlmProvider implements LlmProvider {
  readonly specificationVersion = LLM_PROVIDER_SPEC_VERSION;
  readonly id: string;
  readonly kind: ProviderKind;
  readonly baseUrl: string;
  /** Every call received, in order. */
  readonly calls: LlmCallOptions[] = [];

  constructor(private readonly options: MockLlmProviderOptions = {}) {
    this.id = options.id ?? 'mock';
    this.kind = options.kind ?? 'ollama';
    this.baseUrl = `mock://${this.id}`;
  }

  stream(options: LlmCallOptions): AsyncIterable<LlmStreamEvent> {
    this.calls.push(options);
    return guardStream({
      provider: this.id,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      open: (signal) => this.raw(options, signal),
      classify: (error) => error as LlmError,
    });
  }

  async chat(options: LlmCallOptions): Promise<LlmChatResult> {
    let text = '';
    for await (const event of this.stream(options)) {
      if (event.type === 'text-delta') text += event.text;
      if (event.type === 'error') throw event.error;
      if (event.type === 'finish') {
        return {
          provider: this.id,
          model: options.model,
          text,
          toolCalls: [],
          finishReason: event.reason,
          usage: event.usage,
          warnings: [],
        };
      }
    }
    throw new Error('unreachable: a guarded stream always ends with finish or error');
  }

  async embed(options: LlmEmbedOptions): Promise<LlmEmbedResult> {
    if (this.options.failWith) throw this.options.failWith;
    return {
      provider: this.id,
      model: options.model,
      embeddings: options.input.map((text) => [text.length, 1, 0]),
      usage: { promptTokens: options.input.length },
    };
  }

  async listModels(): Promise<LlmModelInfo[]> {
    if (this.options.failWith) throw this.options.failWith;
    const contextLength = this.options.contextWindow;
    return (this.options.models ?? ['mock-model']).map((id) => ({
      id,
      provider: this.id,
      ...(contextLength === undefined ? {} : { contextLength }),
    }));
  }

  async contextWindow(_model: string): Promise<number | undefined> {
    if (this.options.failWith) throw this.options.failWith;
    return this.options.contextWindow;
  }

  async health(): Promise<LlmHealth> {
    const base = { provider: this.id, kind: this.kind, baseUrl: this.baseUrl, latencyMs: 0 };
    const failure = this.options.failWith;
    return failure
      ? { ...base, ok: false, error: { code: failure.code, message: failure.message } }
      : { ...base, ok: true };
  }

  private async *raw(options: LlmCallOptions, signal: AbortSignal): AsyncGenerator<RawStreamEvent> {
    if (this.options.failWith) throw this.options.failWith;
    yield { type: 'start', provider: this.id, model: options.model, warnings: [] };
    const tokens = this.options.tokens ?? ['Hello', ' world'];
    for (const text of tokens) {
      if (this.options.delayMs) await delay(this.options.delayMs, signal);
      yield { type: 'text-delta', text };
    }
    const usage = { promptTokens: 1, completionTokens: tokens.length, totalTokens: tokens.length + 1 };
    yield { type: 'usage', usage };
    yield { type: 'finish', reason: 'stop', usage };
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
