import OpenAI from 'openai';
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
  type ProviderKind,
} from '../../contract';
import { guardStream, type RawStreamEvent, withDeadline } from '../../stream';
import { classifyLocalFailure, classifyNetworkFailure } from '../shared/classify';
import {
  bodyChunks,
  type HttpTarget,
  httpTarget,
  lowerCaseKeys,
  post,
  readText,
} from '../shared/http-transport';
import { mergeTimeouts } from '../shared/merge-timeouts';
import { nodeFetch } from '../shared/node-fetch';
import { newToolCallId } from '../shared/tool-call-id';
import type { ProviderSettings } from '../shared/provider-settings';
import { type ChatChunk, ChatChunkReader, type ChatReadItem, type ExtraEvents } from './chat-chunks';
import { fromOpenAIFinishReason, toOpenAIChatBody } from './openai-request';
import { describeErrorBody, httpAnswerError, inStreamError, parseErrorText } from './openai-wire-errors';

type ChatCompletion = OpenAI.Chat.Completions.ChatCompletion;
type Body = ReturnType<typeof toOpenAIChatBody>;

/** What compatible servers add to a delta or a message: vLLM `reasoning`, older `reasoning_content`. */
interface ReasoningFields {
  reasoning?: string | null;
  reasoning_content?: string | null;
}

interface ToolCallDraft {
  id: string;
  name: string;
  arguments: string;
}

/** Reads a response header, whichever client received the response. */
export type HeaderLookup = (name: string) => string | undefined;

/** The model card fields this adapter reads; servers add their own beside OpenAI's. */
export type ModelCard = OpenAI.Models.Model & Record<string, unknown>;

/**
 * Any server that speaks OpenAI's Chat Completions (OpenAI, TGI, llama.cpp, LM Studio, Ollama's /v1;
 * docs/wire-formats.md#openai). Non-streamed calls (chat, embeddings, models) go through the official
 * `openai` package. Streams, the hot path of a gateway, go over Node's http client and a strict SSE
 * reader (`ChatChunkReader`): the package's request pipeline alone cost more CPU per streamed answer
 * than everything else on the gateway together (bench/, README), and it ends quietly on a cut body.
 * Subclasses change the few protected hooks where a server differs (VllmProvider, and the Sluice
 * gateway's dialect in SluiceGatewayProvider).
 */
export class OpenAICompatibleProvider implements LlmProvider {
  readonly specificationVersion = LLM_PROVIDER_SPEC_VERSION;
  readonly kind: ProviderKind = 'openai';
  readonly id: string;
  readonly baseUrl: string;
  protected readonly client: OpenAI;
  protected readonly timeouts: LlmTimeouts;
  /** Events a server sends beside the chunks, read in their place (none for OpenAI's own API). */
  protected readonly extraEvents: ExtraEvents | undefined = undefined;
  /** What every streamed request carries; a call's own headers go on top. */
  private readonly streamHeaders: Record<string, string>;
  private readonly streamTarget: HttpTarget;

  constructor(settings: ProviderSettings) {
    this.id = settings.id;
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.timeouts = settings.timeouts ?? {};
    this.client = new OpenAI({
      baseURL: this.baseUrl,
      // Always explicit: the package would otherwise read OPENAI_API_KEY (and, since 7, OPENAI_ADMIN_KEY)
      // from the environment and send it to any server. It refuses to start without a key: a server
      // that needs none gets a placeholder, which the `Authorization: null` below keeps off the wire.
      apiKey: settings.apiKey ?? 'unused',
      adminAPIKey: null,
      organization: null,
      project: null,
      fetch: nodeFetch,
      maxRetries: 0, // adapters classify; retries live above them
      logLevel: 'off', // failures reach the caller as LlmErrors; the package would write to the console
      timeout: 24 * 60 * 60 * 1000, // our own deadlines apply
      defaultHeaders: {
        ...settings.headers,
        ...(settings.apiKey === undefined ? { Authorization: null } : {}),
      },
    });
    this.streamTarget = httpTarget(new URL(`${this.baseUrl}/chat/completions`));
    this.streamHeaders = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'user-agent': 'sluice-llm-provider',
      ...(settings.apiKey === undefined ? {} : { authorization: `Bearer ${settings.apiKey}` }),
      ...lowerCaseKeys(settings.headers),
    };
  }

  stream(options: LlmCallOptions): AsyncIterable<LlmStreamEvent> {
    return guardStream({
      provider: this.id,
      ...(options.signal ? { signal: options.signal } : {}),
      timeouts: mergeTimeouts(this.timeouts, options.timeouts),
      open: (signal) => this.rawStream(options, signal),
      classify: (error, started) => this.classify(error, started),
    });
  }

  async chat(options: LlmCallOptions): Promise<LlmChatResult> {
    const { body, warnings } = this.buildBody(options);
    const { stream: _stream, stream_options: _streamOptions, ...rest } = body;
    const { data: completion, response } = await this.call(options, (signal) =>
      this.client.chat.completions
        .create({ ...rest, stream: false }, this.requestOptions(signal, this.callHeaders(options)))
        .withResponse(),
    );
    const choice = completion.choices[0];
    const message: (ChatCompletion['choices'][number]['message'] & ReasoningFields) | undefined =
      choice?.message;
    const reasoning = message?.reasoning ?? message?.reasoning_content;
    const toolCalls: LlmToolCall[] = (message?.tool_calls ?? []).flatMap((call) =>
      call.type === 'function'
        ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }]
        : [],
    );
    return {
      ...this.servedBy((name) => response.headers.get(name) ?? undefined, options.model),
      text: message?.content ?? '',
      ...(reasoning ? { reasoning } : {}),
      toolCalls,
      finishReason: fromOpenAIFinishReason(choice?.finish_reason),
      ...(choice?.finish_reason ? { rawFinishReason: choice.finish_reason } : {}),
      usage: toUsage(completion.usage),
      warnings,
    };
  }

  async embed(options: LlmEmbedOptions): Promise<LlmEmbedResult> {
    const response = await this.call(options, (signal) =>
      this.client.embeddings.create(
        {
          model: options.model,
          input: options.input,
          ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
        },
        this.requestOptions(signal, this.callHeaders(options)),
      ),
    );
    const embeddings = [...response.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
    return {
      provider: this.id,
      model: options.model,
      embeddings,
      usage: { promptTokens: response.usage?.prompt_tokens, totalTokens: response.usage?.total_tokens },
    };
  }

  async listModels(options: LlmRequestOptions = {}): Promise<LlmModelInfo[]> {
    return this.call(options, async (signal) => {
      const models: LlmModelInfo[] = [];
      for await (const entry of this.client.models.list(this.requestOptions(signal))) {
        models.push(this.toModelInfo(entry as ModelCard));
      }
      return models;
    });
  }

  /** The listing entry's `max_model_len` (vLLM) or `context_length` (some other servers; OpenAI's own has neither). */
  async contextWindow(model: string, options: LlmRequestOptions = {}): Promise<number | undefined> {
    return (await this.listModels(options)).find((entry) => entry.id === model)?.contextLength;
  }

  async health(options: LlmRequestOptions = {}): Promise<LlmHealth> {
    const started = performance.now();
    const base = { provider: this.id, kind: this.kind, baseUrl: this.baseUrl };
    try {
      await this.probe({
        ...options,
        timeouts: { totalMs: this.timeouts.connectMs ?? 5_000, ...options.timeouts },
      });
      return { ...base, ok: true, latencyMs: performance.now() - started };
    } catch (error) {
      const failure = LlmError.is(error) ? error : this.classify(error, false);
      return {
        ...base,
        ok: false,
        latencyMs: performance.now() - started,
        error: { code: failure.code, message: failure.message },
      };
    }
  }

  /** The cheapest request that proves the server answers. */
  protected async probe(options: LlmRequestOptions): Promise<void> {
    await this.listModels(options);
  }

  /** The body for this server; a subclass adds its own fields. */
  protected buildBody(options: LlmCallOptions): { body: Body; warnings: string[] } {
    const body = toOpenAIChatBody(options, {
      maxTokensField: /(^|\.)openai\.com$/.test(new URL(this.baseUrl).hostname)
        ? 'max_completion_tokens'
        : 'max_tokens',
    });
    const warnings: string[] = [];
    if (options.topK !== undefined) warnings.push(`${this.id} has no top_k: ignored`);
    Object.assign(body, options.providerOptions?.[this.kind] ?? {});
    return { body, warnings };
  }

  protected toModelInfo(entry: ModelCard): LlmModelInfo {
    const contextLength = [entry.max_model_len, entry.context_length].find(isPositiveInteger);
    return {
      id: entry.id,
      provider: this.id,
      ...(entry.owned_by ? { ownedBy: entry.owned_by } : {}),
      ...(contextLength === undefined ? {} : { contextLength }),
    };
  }

  /** The headers one call adds to the configured ones: its own. */
  protected callHeaders(options: {
    headers?: Record<string, string>;
    user?: string;
  }): Record<string, string> | undefined {
    return options.headers;
  }

  /** The headers of one streamed request: the configured ones, then the call's. */
  protected streamRequestHeaders(options: LlmCallOptions): Record<string, string> {
    const own = this.callHeaders(options);
    return own ? { ...this.streamHeaders, ...lowerCaseKeys(own) } : this.streamHeaders;
  }

  /** Who served the call: this provider and the model asked for. */
  protected servedBy(_header: HeaderLookup, model: string): { provider: string; model: string } {
    return { provider: this.id, model };
  }

  protected requestOptions(signal: AbortSignal, headers?: Record<string, string>): OpenAI.RequestOptions {
    return { signal, ...(headers ? { headers } : {}) };
  }

  protected call<T>(
    options: { signal?: AbortSignal; timeouts?: LlmTimeouts },
    request: (signal: AbortSignal) => Promise<T>,
  ) {
    const timeouts = mergeTimeouts(this.timeouts, options.timeouts);
    return withDeadline(
      {
        provider: this.id,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(timeouts.totalMs === undefined ? {} : { timeoutMs: timeouts.totalMs }),
        classify: (error) => this.classify(error, false),
      },
      request,
    );
  }

  private async *rawStream(options: LlmCallOptions, signal: AbortSignal): AsyncGenerator<RawStreamEvent> {
    const { body, warnings } = this.buildBody(options);
    const headers = this.streamRequestHeaders(options);
    const answer = await post(this.streamTarget, headers, JSON.stringify(body), signal);
    const context = { provider: this.id, url: this.baseUrl, headers: answer.headers };
    if (answer.status >= 300) {
      const facts = describeErrorBody(parseErrorText(await readText(answer.body)));
      throw httpAnswerError(answer.status, facts, 'no body', context);
    }
    if (String(answer.headers['content-type']).includes('application/json')) {
      // An early failure can come as a JSON body even under 200 (docs/wire-formats.md#error-under-200).
      throw inStreamError(describeErrorBody(parseErrorText(await readText(answer.body))), context);
    }
    const header: HeaderLookup = (name) => {
      const value = answer.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    yield { type: 'start', ...this.servedBy(header, options.model), warnings };

    const reader = new ChatChunkReader(context, this.extraEvents);
    const state: ChunkState = { drafts: new Map(), finishReason: undefined, usage: undefined, warnings };
    for await (const bytes of bodyChunks(answer.body)) {
      for (const event of eventsOf(reader.push(bytes), state)) yield event;
      if (reader.failure) throw reader.failure;
    }
    for (const event of eventsOf(reader.end(), state)) yield event;
    if (reader.failure) throw reader.failure;
    const { drafts, finishReason, usage } = state;
    // A body cut before any finish reason: the guard reports the truncation.
    if (finishReason === undefined) return;

    const ordered = [...drafts.entries()].sort(([a], [b]) => a - b);
    for (const [, draft] of ordered) {
      yield {
        type: 'tool-call',
        call: { id: draft.id || newToolCallId(), name: draft.name, arguments: draft.arguments || '{}' },
      };
    }
    const finalUsage = usage ?? {};
    if (usage) yield { type: 'usage', usage };
    yield {
      type: 'finish',
      reason: fromOpenAIFinishReason(finishReason),
      rawReason: finishReason,
      usage: finalUsage,
    };
  }

  protected classify(error: unknown, started: boolean): LlmError {
    if (LlmError.is(error)) return error;
    const context = { provider: this.id, url: this.baseUrl };
    if (error instanceof OpenAI.APIConnectionTimeoutError) {
      return new LlmError('timeout', `${this.id} did not answer in time`, { ...context, cause: error });
    }
    if (error instanceof OpenAI.APIUserAbortError) {
      return new LlmError('aborted', 'the request was aborted', { ...context, cause: error });
    }
    if (error instanceof OpenAI.APIConnectionError) {
      return (
        classifyNetworkFailure(error, { ...context, started }) ??
        new LlmError('unavailable', `cannot reach ${this.id} at ${this.baseUrl}: ${error.message}`, {
          ...context,
          cause: error,
        })
      );
    }
    if (error instanceof OpenAI.APIError)
      return this.classifyApiError(error as InstanceType<typeof OpenAI.APIError>);
    if (error instanceof SyntaxError) {
      return new LlmError('upstream', `${this.id} sent an event that is not JSON: ${error.message}`, {
        ...context,
        cause: error,
      });
    }
    return (
      classifyNetworkFailure(error, { ...context, started }) ??
      classifyLocalFailure(error, this.id) ??
      new LlmError('upstream', `${this.id}: ${error instanceof Error ? error.message : String(error)}`, {
        ...context,
        cause: error,
      })
    );
  }

  /** An HTTP error answer from the openai package (non-streamed calls). */
  private classifyApiError(error: InstanceType<typeof OpenAI.APIError>): LlmError {
    const facts = describeErrorBody(error.error);
    const context = { provider: this.id, url: this.baseUrl, headers: error.headers, cause: error };
    if (error.status === undefined) return inStreamError(facts, context);
    return httpAnswerError(error.status, facts, error.message, context);
  }
}

/** What a stream's chunks add up to, read as they come. */
interface ChunkState {
  drafts: Map<number, ToolCallDraft>;
  finishReason: string | undefined;
  usage: LlmUsage | undefined;
  /** The request's own warnings, carried by a `start` among the extra events too. */
  warnings: string[];
}

/** The deltas a batch of chunks carries; tool-call fragments, the finish reason and usage go to `state`. */
function eventsOf(items: ChatReadItem[], state: ChunkState): RawStreamEvent[] {
  const events: RawStreamEvent[] = [];
  for (const chunk of items) {
    if ('extra' in chunk) {
      const event = chunk.extra;
      events.push(event.type === 'start' ? { ...event, warnings: state.warnings } : event);
      continue;
    }
    if (chunk.usage) state.usage = toUsage(chunk.usage);
    // The usage chunk has `choices: []`; with n > 1 other choices interleave: we follow the first.
    const choices = chunk.choices;
    const choice =
      choices?.length === 1 && choices[0]?.index === 0 ? choices[0] : choices?.find((c) => c.index === 0);
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as ChatChunk['choices'][number]['delta'] & ReasoningFields;
    const reasoning = delta.reasoning ?? delta.reasoning_content;
    if (reasoning) events.push({ type: 'reasoning-delta', text: reasoning });
    if (delta.content) events.push({ type: 'text-delta', text: delta.content });
    for (const fragment of delta.tool_calls ?? []) {
      const draft = state.drafts.get(fragment.index) ?? { id: '', name: '', arguments: '' };
      if (fragment.id) draft.id = fragment.id;
      if (fragment.function?.name) draft.name += fragment.function.name;
      if (fragment.function?.arguments) draft.arguments += fragment.function.arguments;
      state.drafts.set(fragment.index, draft);
    }
    if (choice.finish_reason) state.finishReason = choice.finish_reason;
  }
  return events;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function toUsage(usage: OpenAI.Completions.CompletionUsage | null | undefined): LlmUsage {
  if (!usage) return {};
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
  };
}
