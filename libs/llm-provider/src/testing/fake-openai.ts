import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from './fake-exchange';
import {
  OpenAIStyleServer,
  SSE_DONE,
  sse,
  type CallContext,
  type EmbeddingsRequest,
  type ErrorDetails,
  type FakeOpenAIStyle,
} from './fake-openai-base';
import type { FakeModel, FakeToolCall } from './fake-script';
import type { StreamRenderer } from './fake-stream';
import { embeddingTexts, isRecord, randomAlnum, randomHex, tokenFragments, unixSeconds } from './fake-util';

export interface FakeOpenAI extends FakeOpenAIStyle {
  /** Reject request fields the real API does not know with its 400 (default true). */
  strictParams: boolean;
}

export interface FakeOpenAIOptions {
  models?: FakeModel[];
  apiKey?: string;
  port?: number;
  /** Default true: unknown request fields get OpenAI's 400 "Unrecognized request argument supplied". */
  strictParams?: boolean;
  /**
   * Serve every model name, as a proxy in front of many models does (LiteLLM, OpenRouter); `/v1/models`
   * still lists `models` only. Default false: an unknown model is a 404.
   */
  servesAnyModel?: boolean;
}

export const DEFAULT_OPENAI_MODELS: readonly FakeModel[] = [
  { id: 'gpt-4o-mini' },
  { id: 'text-embedding-3-small' },
];

const CHAT_PARAMS = new Set([
  'audio',
  'frequency_penalty',
  'function_call',
  'functions',
  'logit_bias',
  'logprobs',
  'max_completion_tokens',
  'max_tokens',
  'messages',
  'metadata',
  'modalities',
  'model',
  'n',
  'parallel_tool_calls',
  'prediction',
  'presence_penalty',
  'prompt_cache_key',
  'prompt_cache_retention',
  'reasoning_effort',
  'response_format',
  'safety_identifier',
  'seed',
  'service_tier',
  'stop',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'user',
  'verbosity',
  'web_search_options',
]);
const EMBEDDING_PARAMS = new Set(['input', 'model', 'dimensions', 'encoding_format', 'user']);

const PARSE_ERROR =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library " +
  'correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble ' +
  'figuring out how to fix this, please contact us through our help center at help.openai.com.)';
const NO_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
  "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the " +
  'API from your browser and are prompted for a username and password. You can obtain an API key from ' +
  'https://platform.openai.com/account/api-keys.';
const KEY_PAGE = 'You can find your API key at https://platform.openai.com/account/api-keys.';

function errorTypeOf(status: number, code: string | null | undefined): string {
  if (status === 429) return code === 'insufficient_quota' ? 'insufficient_quota' : 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** How OpenAI echoes a wrong key: its start and end around asterisks. */
function maskKey(key: string): string {
  return key.length <= 12 ? key : `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

/**
 * A fake OpenAI API (`/v1/chat/completions`, `/v1/embeddings`, `/v1/models`). It has no health route:
 * `unhealthy` makes every request answer 503.
 */
class FakeOpenAIServer extends OpenAIStyleServer implements FakeOpenAI {
  strictParams: boolean;
  protected readonly defaultStreamError =
    'The server had an error while processing your request. Sorry about that!';
  private readonly fingerprint = `fp_${randomHex(10)}`;
  private readonly created = unixSeconds() - 86_400 * 365;

  constructor(
    models: FakeModel[],
    apiKey: string | undefined,
    strictParams: boolean,
    private readonly servesAnyModel: boolean,
  ) {
    super(models, apiKey);
    this.strictParams = strictParams;
  }

  protected override find(model: string): FakeModel | undefined {
    return super.find(model) ?? (this.servesAnyModel ? { id: model } : undefined);
  }

  protected override commonHeaders(ex: Exchange): OutgoingHttpHeaders {
    return {
      'x-request-id': `req_${randomHex(32)}`,
      'openai-processing-ms': String(Math.max(1, Math.round(performance.now() - ex.record.receivedAt))),
      'openai-organization': 'user-fake',
      'openai-version': '2020-10-01',
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-limit-tokens': '10000000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-remaining-tokens': '9999990',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-reset-tokens': '0s',
    };
  }

  protected sendError(
    ex: Exchange,
    status: number,
    message: string,
    details: ErrorDetails = {},
    headers: OutgoingHttpHeaders = {},
  ): Promise<void> {
    const code = details.code !== undefined ? details.code : status === 429 ? 'rate_limit_exceeded' : null;
    const error = {
      message,
      type: details.type ?? errorTypeOf(status, code),
      param: details.param ?? null,
      code,
    };
    // OpenAI pretty-prints its error bodies, four spaces, a newline at the end.
    const body = `${JSON.stringify({ error }, null, 4)}\n`;
    return this.send(ex, status, 'application/json; charset=utf-8', body, headers);
  }

  protected defaultErrorMessage(status: number): string {
    switch (status) {
      case 429:
        return 'Rate limit reached for requests';
      case 500:
        return this.defaultStreamError;
      case 503:
        return 'The engine is currently overloaded, please try again later';
      default:
        return `Request failed with status ${status}`;
    }
  }

  protected async route(ex: Exchange): Promise<void> {
    if (this.unhealthy) return this.sendError(ex, 503, 'The server is overloaded or not ready yet.');
    if (!this.authorized(ex)) return this.unauthorized(ex);
    const { method, path } = ex.record;
    if (method === 'POST' && path === '/v1/chat/completions') return this.chatCompletions(ex);
    if (method === 'POST' && path === '/v1/embeddings') return this.embeddings(ex);
    if (method === 'GET' && path === '/v1/models') {
      return this.send(
        ex,
        200,
        'application/json',
        JSON.stringify({ object: 'list', data: this.models.map((m) => this.card(m)) }),
      );
    }
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      const model = this.find(id);
      if (model) return this.send(ex, 200, 'application/json', JSON.stringify(this.card(model)));
      return this.sendError(ex, 404, `The model '${id}' does not exist`, {
        param: 'model',
        code: 'model_not_found',
      });
    }
    return this.sendError(ex, 404, `Invalid URL (${method} ${path})`);
  }

  private card(model: FakeModel) {
    return { id: model.id, object: 'model', created: this.created, owned_by: 'system' };
  }

  private unauthorized(ex: Exchange): Promise<void> {
    const header = ex.record.headers.authorization;
    const key = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (key === '') return this.sendError(ex, 401, NO_KEY, { code: null });
    return this.sendError(ex, 401, `Incorrect API key provided: ${maskKey(key)}. ${KEY_PAGE}`, {
      code: 'invalid_api_key',
    });
  }

  /** Common checks; answers the error itself and returns `false` on failure. */
  private async checkBody(ex: Exchange, body: unknown, known: Set<string>): Promise<boolean> {
    if (!isRecord(body)) {
      await this.sendError(ex, 400, PARSE_ERROR);
      return false;
    }
    const unknown = Object.keys(body).filter((key) => !known.has(key));
    if (this.strictParams && unknown.length > 0) {
      const noun = unknown.length === 1 ? 'argument' : 'arguments';
      await this.sendError(ex, 400, `Unrecognized request ${noun} supplied: ${unknown.join(', ')}`);
      return false;
    }
    if (typeof body.model !== 'string' || body.model === '') {
      await this.sendError(ex, 400, 'you must provide a model parameter');
      return false;
    }
    return true;
  }

  private async missing(ex: Exchange, param: string): Promise<undefined> {
    await this.sendError(ex, 400, `Missing required parameter: '${param}'.`, {
      param,
      code: 'missing_required_parameter',
    });
    return undefined;
  }

  private async unknownModel(ex: Exchange, model: string): Promise<undefined> {
    await this.sendError(ex, 404, `The model \`${model}\` does not exist or you do not have access to it.`, {
      code: 'model_not_found',
    });
    return undefined;
  }

  protected async validateChat(ex: Exchange, body: unknown) {
    if (!(await this.checkBody(ex, body, CHAT_PARAMS)) || !isRecord(body)) return undefined;
    const model = body.model as string;
    if (!Array.isArray(body.messages)) return this.missing(ex, 'messages');
    if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true) {
      await this.sendError(
        ex,
        400,
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        {
          param: 'stream_options',
        },
      );
      return undefined;
    }
    if (!this.find(model)) return this.unknownModel(ex, model);
    return { model, body };
  }

  protected async validateEmbeddings(ex: Exchange, body: unknown) {
    if (!(await this.checkBody(ex, body, EMBEDDING_PARAMS)) || !isRecord(body)) return undefined;
    const model = body.model as string;
    if (body.input === undefined) return this.missing(ex, 'input');
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      await this.sendError(
        ex,
        400,
        `Invalid value for 'encoding_format': expected one of 'float' or 'base64', but got ${JSON.stringify(format)}.`,
        { param: 'encoding_format', code: 'invalid_value' },
      );
      return undefined;
    }
    const texts = embeddingTexts(body.input);
    if (!texts || texts.length === 0) {
      await this.sendError(
        ex,
        400,
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      );
      return undefined;
    }
    if (!this.find(model)) return this.unknownModel(ex, model);
    const request: EmbeddingsRequest & { body: Record<string, unknown> } = {
      model,
      texts,
      base64: format === 'base64',
      body,
    };
    return request;
  }

  protected chatStream({ plan, model, body }: CallContext): StreamRenderer {
    const id = `chatcmpl-${randomAlnum(29)}`;
    const created = unixSeconds();
    const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
    const head = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: this.fingerprint,
    };
    // Every chunk ends with random padding, so that sizes do not give the tokens away.
    const event = (fields: Record<string, unknown>) =>
      sse(JSON.stringify({ ...head, ...fields, obfuscation: obfuscation() }));
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      event({
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...(includeUsage ? { usage: null } : {}),
      });
    // An answer that opens with a tool call carries the role in that call's first delta.
    const role = { role: 'assistant', content: '', refusal: null };
    const callsFirst = plan.tokens.length === 0 && plan.toolCalls.length > 0;
    return {
      opening: () => (callsFirst ? [] : [chunk(role)]),
      token: (piece) => chunk({ content: piece }),
      toolCalls: (calls) =>
        calls.flatMap((call, index) => toolCallDeltas(call, index, chunk, callsFirst && index === 0)),
      malformed: () => `data: {"id":"${id}","object":"chat.completion.chunk","created":\n\n`,
      error: (message) => [
        sse(JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })),
      ],
      terminal: () => [
        chunk({}, plan.finishReason),
        ...(includeUsage
          ? [
              event({
                choices: [],
                usage: {
                  prompt_tokens: plan.promptTokens,
                  completion_tokens: plan.completionTokens,
                  total_tokens: plan.promptTokens + plan.completionTokens,
                  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
                  completion_tokens_details: {
                    reasoning_tokens: 0,
                    audio_tokens: 0,
                    accepted_prediction_tokens: 0,
                    rejected_prediction_tokens: 0,
                  },
                },
              }),
            ]
          : []),
        SSE_DONE,
      ],
    };
  }

  protected chatCompletion({ plan, model }: CallContext): unknown {
    const text = plan.tokens.join('');
    const toolCalls = plan.toolCalls.map((call) => ({
      id: `call_${randomAlnum(24)}`,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
    return {
      id: `chatcmpl-${randomAlnum(29)}`,
      object: 'chat.completion',
      created: unixSeconds(),
      model,
      system_fingerprint: this.fingerprint,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: text === '' && toolCalls.length > 0 ? null : text,
            refusal: null,
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          },
          logprobs: null,
          finish_reason: plan.finishReason,
        },
      ],
      usage: {
        prompt_tokens: plan.promptTokens,
        completion_tokens: plan.completionTokens,
        total_tokens: plan.promptTokens + plan.completionTokens,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    };
  }

  protected embeddingsResponse({ plan, model }: CallContext, vectors: (number[] | string)[]): unknown {
    return {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model,
      usage: { prompt_tokens: plan.promptTokens, total_tokens: plan.promptTokens },
    };
  }
}

/**
 * OpenAI's tool-call deltas: the head (id, type, name, empty arguments; the role around it when the
 * answer opens with the call), then the arguments in token-sized fragments, 2 or more.
 */
function toolCallDeltas(
  call: FakeToolCall,
  index: number,
  chunk: (delta: Record<string, unknown>) => string,
  withRole: boolean,
): string[] {
  const toolCalls = [
    { index, id: `call_${randomAlnum(24)}`, type: 'function', function: { name: call.name, arguments: '' } },
  ];
  const head = chunk(
    withRole
      ? { role: 'assistant', content: null, tool_calls: toolCalls, refusal: null }
      : { tool_calls: toolCalls },
  );
  const fragments = tokenFragments(JSON.stringify(call.arguments)).map((fragment) =>
    chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }),
  );
  return [head, ...fragments];
}

/** The `obfuscation` padding: 1 to 16 random characters. */
function obfuscation(): string {
  return randomAlnum(1 + Math.floor(Math.random() * 16));
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const server = new FakeOpenAIServer(
    options.models ?? [...DEFAULT_OPENAI_MODELS],
    options.apiKey,
    options.strictParams ?? true,
    options.servesAnyModel ?? false,
  );
  return server.listen(options.port);
}
