import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from './fake-exchange';
import {
  OpenAIStyleServer,
  SSE_DONE,
  sse,
  type CallContext,
  type ErrorDetails,
  type FakeOpenAIStyle,
} from './fake-openai-base';
import type { FakeModel, FakeToolCall } from './fake-script';
import type { StreamRenderer } from './fake-stream';
import { embeddingTexts, isRecord, pyJson, randomHex, splitArguments, unixSeconds } from './fake-util';

/** Gauges `/metrics` reports; `numRequestsRunning` defaults to the model calls in flight. */
export interface FakeVllmMetrics {
  numRequestsRunning?: number;
  numRequestsWaiting: number;
  kvCacheUsagePerc: number;
}

export interface FakeVllm extends FakeOpenAIStyle {
  /** Answer errors in the flat shape of vLLM before v0.10.1. */
  legacyErrors: boolean;
  readonly metrics: FakeVllmMetrics;
}

export interface FakeVllmOptions {
  models?: FakeModel[];
  apiKey?: string;
  port?: number;
  legacyErrors?: boolean;
}

export const DEFAULT_VLLM_MODELS: readonly FakeModel[] = [
  { id: 'meta-llama/Llama-3.1-8B-Instruct', contextLength: 8192 },
];

const JSON_TYPE = 'application/json';
const ROUTES: Record<string, string[]> = {
  '/health': ['GET'],
  '/ping': ['GET', 'POST'],
  '/version': ['GET'],
  '/metrics': ['GET'],
  '/load': ['GET'],
  '/tokenize': ['POST'],
  '/detokenize': ['POST'],
  '/v1/models': ['GET'],
  '/v1/chat/completions': ['POST'],
  '/v1/embeddings': ['POST'],
};

/** vLLM's `type` for a status: `BadRequestError`, `NotFoundError`, `InternalServerError`, ... */
function errorTypeOf(status: number): string {
  const phrase = (STATUS_CODES[status] ?? 'Unknown').replace(/[^A-Za-z ]/g, '');
  const name = phrase
    .split(' ')
    .map((word) => (word ? word[0]!.toUpperCase() + word.slice(1).toLowerCase() : ''))
    .join('');
  return name.endsWith('Error') ? name : `${name}Error`;
}

/**
 * A fake vLLM OpenAI-compatible server. Auth (when `apiKey` is set) covers `/v1/*` only; `unhealthy`
 * makes `/health` and `/ping` answer 503 while the model endpoints keep working.
 */
class FakeVllmServer extends OpenAIStyleServer implements FakeVllm {
  legacyErrors: boolean;
  readonly metrics: FakeVllmMetrics = { numRequestsWaiting: 0, kvCacheUsagePerc: 0 };
  protected readonly defaultStreamError = 'Internal server error';
  private readonly created = unixSeconds();
  private counters = { promptTokens: 0, generationTokens: 0, success: new Map<string, number>() };

  constructor(models: FakeModel[], apiKey: string | undefined, legacyErrors: boolean) {
    super(models, apiKey);
    this.legacyErrors = legacyErrors;
  }

  protected override onReset(): void {
    this.counters = { promptTokens: 0, generationTokens: 0, success: new Map() };
  }

  protected override commonHeaders(): OutgoingHttpHeaders {
    return { server: 'uvicorn' };
  }

  /** The error object (`{"error":{...}}`, or the flat legacy one) as a JS value. */
  private errorObject(status: number, message: string, details: ErrorDetails = {}) {
    const type = details.type ?? errorTypeOf(status);
    const param = details.param ?? null;
    return this.legacyErrors
      ? { object: 'error', message, type, param, code: status }
      : { error: { message, type, param, code: status } };
  }

  protected sendError(
    ex: Exchange,
    status: number,
    message: string,
    details: ErrorDetails = {},
    headers: OutgoingHttpHeaders = {},
  ): Promise<void> {
    return this.send(
      ex,
      status,
      JSON_TYPE,
      JSON.stringify(this.errorObject(status, message, details)),
      headers,
    );
  }

  protected defaultErrorMessage(status: number): string {
    return status >= 500 ? this.defaultStreamError : (STATUS_CODES[status] ?? 'Error');
  }

  private json(ex: Exchange, status: number, body: unknown): Promise<void> {
    return this.send(ex, status, JSON_TYPE, JSON.stringify(body));
  }

  protected async route(ex: Exchange): Promise<void> {
    const { method, path } = ex.record;
    if (path.startsWith('/v1') && !this.authorized(ex)) return this.json(ex, 401, { error: 'Unauthorized' });
    const methods = ROUTES[path];
    if (!methods) return this.json(ex, 404, { detail: 'Not Found' });
    if (!methods.includes(method)) return this.json(ex, 405, { detail: 'Method Not Allowed' });
    switch (path) {
      case '/health':
      case '/ping':
        return this.send(ex, this.unhealthy ? 503 : 200, undefined, '');
      case '/version':
        return this.json(ex, 200, { version: this.legacyErrors ? '0.9.2' : '0.11.0' });
      case '/load':
        return this.json(ex, 200, { server_load: this.running() });
      case '/metrics':
        return this.send(ex, 200, 'text/plain; version=0.0.4; charset=utf-8', this.prometheus());
      case '/tokenize':
        return this.tokenize(ex);
      case '/detokenize':
        return this.detokenize(ex);
      case '/v1/models':
        return this.json(ex, 200, { object: 'list', data: this.models.map((m) => this.card(m)) });
      case '/v1/chat/completions':
        return this.chatCompletions(ex);
      default:
        return this.embeddings(ex);
    }
  }

  private running(): number {
    return this.metrics.numRequestsRunning ?? this.activeCalls;
  }

  private card(model: FakeModel) {
    return {
      id: model.id,
      object: 'model',
      created: this.created,
      owned_by: 'vllm',
      root: model.id,
      parent: null,
      max_model_len: model.contextLength ?? null,
      permission: [
        {
          id: `modelperm-${randomHex(32)}`,
          object: 'model_permission',
          created: this.created,
          allow_create_engine: false,
          allow_sampling: true,
          allow_logprobs: true,
          allow_search_indices: false,
          allow_view: true,
          allow_fine_tuning: false,
          organization: '*',
          group: null,
          is_blocking: false,
        },
      ],
    };
  }

  private prometheus(): string {
    const model = this.models[0]?.id ?? '';
    const labels = (extra = '') => `{model_name="${model}",engine="0"${extra}}`;
    const float = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));
    const metric = (name: string, type: string, help: string, lines: string[]) =>
      [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines].join('\n');
    const success = [...this.counters.success].map(
      ([reason, n]) => `vllm:request_success_total${labels(`,finished_reason="${reason}"`)} ${float(n)}`,
    );
    return `${[
      metric('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', [
        `vllm:num_requests_running${labels()} ${float(this.running())}`,
      ]),
      metric('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', [
        `vllm:num_requests_waiting${labels()} ${float(this.metrics.numRequestsWaiting)}`,
      ]),
      metric('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', [
        `vllm:kv_cache_usage_perc${labels()} ${float(this.metrics.kvCacheUsagePerc)}`,
      ]),
      metric('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', [
        `vllm:prompt_tokens_total${labels()} ${float(this.counters.promptTokens)}`,
      ]),
      metric('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', [
        `vllm:generation_tokens_total${labels()} ${float(this.counters.generationTokens)}`,
      ]),
      metric('vllm:request_success_total', 'counter', 'Count of successfully processed requests.', success),
    ].join('\n')}\n`;
  }

  private count(ctx: CallContext): void {
    this.counters.promptTokens += ctx.plan.promptTokens;
    this.counters.generationTokens += ctx.plan.completionTokens;
    const reason = ctx.plan.finishReason === 'length' ? 'length' : 'stop';
    this.counters.success.set(reason, (this.counters.success.get(reason) ?? 0) + 1);
  }

  private async tokenize(ex: Exchange): Promise<void> {
    const body = ex.record.body;
    if (!isRecord(body)) return this.sendError(ex, 400, 'JSON decode error');
    const text =
      typeof body.prompt === 'string'
        ? body.prompt
        : Array.isArray(body.messages)
          ? body.messages
              .map((m) => (isRecord(m) && typeof m.content === 'string' ? m.content : ''))
              .join('\n')
          : '';
    const tokens = Array.from(text.match(/\s*\S+/g) ?? [], (_, i) => 1000 + i);
    return this.json(ex, 200, {
      count: tokens.length,
      max_model_len: this.models[0]?.contextLength ?? null,
      tokens,
    });
  }

  private async detokenize(ex: Exchange): Promise<void> {
    const body = ex.record.body;
    if (!isRecord(body) || !Array.isArray(body.tokens)) return this.sendError(ex, 400, 'JSON decode error');
    return this.json(ex, 200, { prompt: body.tokens.map((t) => `<${String(t)}>`).join('') });
  }

  /** vLLM answers a body that does not validate with 400 (not FastAPI's 422). */
  private async invalid(ex: Exchange, message: string): Promise<undefined> {
    await this.sendError(ex, 400, message);
    return undefined;
  }

  private async checkModel(ex: Exchange, body: Record<string, unknown>): Promise<string | undefined> {
    if (body.model === undefined || body.model === null) return this.models[0]?.id ?? '';
    if (typeof body.model !== 'string')
      return this.invalid(ex, 'model: Input should be a valid string [type=string_type]');
    const model = body.model;
    if (this.find(model)) return model;
    await this.sendError(ex, 404, `The model \`${model}\` does not exist.`, {
      param: this.legacyErrors ? null : 'model',
    });
    return undefined;
  }

  protected async validateChat(ex: Exchange, body: unknown) {
    if (!isRecord(body)) return this.invalid(ex, 'JSON decode error');
    if (!Array.isArray(body.messages)) {
      return this.invalid(
        ex,
        '1 validation error for ChatCompletionRequest\nmessages\n  Field required [type=missing]',
      );
    }
    if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true) {
      return this.invalid(ex, 'Stream options can only be defined when `stream=True`.');
    }
    const model = await this.checkModel(ex, body);
    return model === undefined ? undefined : { model, body };
  }

  protected async validateEmbeddings(ex: Exchange, body: unknown) {
    if (!isRecord(body)) return this.invalid(ex, 'JSON decode error');
    const texts = embeddingTexts(body.input);
    if (!texts) {
      return this.invalid(
        ex,
        '1 validation error for EmbeddingCompletionRequest\ninput\n  Field required [type=missing]',
      );
    }
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      return this.invalid(
        ex,
        `Input should be 'float' or 'base64' [type=literal_error, input_value=${JSON.stringify(format)}]`,
      );
    }
    const model = await this.checkModel(ex, body);
    return model === undefined ? undefined : { model, texts, base64: format === 'base64', body };
  }

  protected chatStream(ctx: CallContext): StreamRenderer {
    const { plan, model, body } = ctx;
    const id = `chatcmpl-${randomHex(32)}`;
    const created = unixSeconds();
    const options = isRecord(body.stream_options) ? body.stream_options : undefined;
    // vLLM's StreamOptions.include_usage defaults to true once stream_options is present.
    const includeUsage =
      options !== undefined && options.include_usage !== false && options.include_usage !== null;
    const continuous = includeUsage && options?.continuous_usage_stats === true;
    let completion = 0;
    const usage = (completionTokens: number) => ({
      prompt_tokens: plan.promptTokens,
      total_tokens: plan.promptTokens + completionTokens,
      completion_tokens: completionTokens,
    });
    const chunk = (choice: Record<string, unknown>, usageNow?: number) =>
      sse(
        JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          choices: [{ index: 0, ...choice }],
          ...(continuous ? { usage: usage(usageNow ?? completion) } : {}),
        }),
      );
    const delta = (d: Record<string, unknown>) => chunk({ delta: d, logprobs: null, finish_reason: null });
    return {
      opening: () => [delta({ role: 'assistant', content: '' })],
      reasoning: (piece) => delta({ reasoning: piece }),
      token: (piece) => {
        completion++;
        return delta({ content: piece });
      },
      toolCalls: (calls) => calls.flatMap((call, index) => vllmToolCallDeltas(call, index, delta)),
      malformed: () => `data: {"id":"${id}","object":"chat.completion.chunk","created":\n\n`,
      error: (message) => [
        sse(
          pyJson(
            this.legacyErrors ? { error: this.errorObject(500, message) } : this.errorObject(500, message),
          ),
        ),
        SSE_DONE,
      ],
      terminal: () => {
        this.count(ctx);
        const finish = chunk(
          {
            delta: plan.toolCalls.length > 0 ? {} : { content: '' },
            logprobs: null,
            finish_reason: plan.finishReason,
            stop_reason: null,
          },
          plan.completionTokens,
        );
        const usageChunk = sse(
          JSON.stringify({
            id,
            object: 'chat.completion.chunk',
            created,
            model,
            choices: [],
            usage: usage(plan.completionTokens),
          }),
        );
        return [finish, ...(includeUsage ? [usageChunk] : []), SSE_DONE];
      },
    };
  }

  protected chatCompletion(ctx: CallContext): unknown {
    const { plan, model } = ctx;
    this.count(ctx);
    const text = plan.tokens.join('');
    const reasoning = plan.reasoning.join('');
    const toolCalls = plan.toolCalls.map((call) => ({
      id: `chatcmpl-tool-${randomHex(32)}`,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
    return {
      id: `chatcmpl-${randomHex(32)}`,
      object: 'chat.completion',
      created: unixSeconds(),
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: text === '' && toolCalls.length > 0 ? null : text,
            refusal: null,
            annotations: null,
            audio: null,
            function_call: null,
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            reasoning: reasoning === '' ? null : reasoning,
          },
          logprobs: null,
          finish_reason: plan.finishReason,
          stop_reason: null,
          token_ids: null,
        },
      ],
      service_tier: null,
      system_fingerprint: null,
      usage: {
        prompt_tokens: plan.promptTokens,
        total_tokens: plan.promptTokens + plan.completionTokens,
        completion_tokens: plan.completionTokens,
        prompt_tokens_details: null,
      },
      prompt_logprobs: null,
      prompt_token_ids: null,
      kv_transfer_params: null,
    };
  }

  protected embeddingsResponse({ plan, model }: CallContext, vectors: (number[] | string)[]): unknown {
    return {
      id: `embd-${randomHex(32)}`,
      object: 'list',
      created: unixSeconds(),
      model,
      data: vectors.map((embedding, index) => ({ index, object: 'embedding', embedding })),
      usage: {
        prompt_tokens: plan.promptTokens,
        total_tokens: plan.promptTokens,
        completion_tokens: 0,
        prompt_tokens_details: null,
      },
    };
  }
}

/** vLLM's tool-call deltas: the head (id, type, index, name, no arguments), then 2+ argument fragments. */
function vllmToolCallDeltas(
  call: FakeToolCall,
  index: number,
  delta: (d: Record<string, unknown>) => string,
): string[] {
  const head = delta({
    tool_calls: [
      { id: `chatcmpl-tool-${randomHex(32)}`, type: 'function', index, function: { name: call.name } },
    ],
  });
  const fragments = splitArguments(JSON.stringify(call.arguments)).map((fragment) =>
    delta({ tool_calls: [{ index, function: { arguments: fragment } }] }),
  );
  return [head, ...fragments];
}

export async function startFakeVllm(options: FakeVllmOptions = {}): Promise<FakeVllm> {
  const server = new FakeVllmServer(
    options.models ?? [...DEFAULT_VLLM_MODELS],
    options.apiKey,
    options.legacyErrors ?? false,
  );
  return server.listen(options.port);
}
