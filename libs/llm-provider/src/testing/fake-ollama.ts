import { encodeNdjson } from '../codecs';
import type { Exchange } from './fake-exchange';
import type { FakeModel, FakeScript, FakeToolCall } from './fake-script';
import { FakeServer, type FakeUpstream } from './fake-server';
import { playStream, type StreamRenderer } from './fake-stream';
import {
  embeddingTexts,
  fakeEmbedding,
  goEscape,
  isRecord,
  nonStreamWaitMs,
  planOf,
  randomAlnum,
  retryHeaders,
  rfc3339Nano,
  sha256Hex,
  type ScriptPlan,
} from './fake-util';

export type FakeOllama = FakeUpstream;

export interface FakeOllamaOptions {
  models?: FakeModel[];
  port?: number;
}

export const DEFAULT_OLLAMA_MODELS: readonly FakeModel[] = [
  { id: 'llama3.2:latest', contextLength: 131072 },
  { id: 'nomic-embed-text:latest' },
];

export const FAKE_OLLAMA_VERSION = '0.12.6';

const JSON_TYPE = 'application/json; charset=utf-8';
const NDJSON_TYPE = 'application/x-ndjson';
const MODEL_CALLS = new Set(['/api/chat', '/api/generate', '/api/embed', '/api/embeddings']);
const DEFAULT_STREAM_ERROR = 'an error was encountered while running the model: unexpected EOF';

/** One NDJSON line as Go's encoder writes it. */
const line = (record: unknown) => goEscape(encodeNdjson(record));
const goJson = (record: unknown) => goEscape(JSON.stringify(record));

/** One line of a Modelfile's parameters as `ollama show` prints them (the name padded to 30). */
const parameter = (name: string, value: string) => `${name.padEnd(30)} ${value}`;

/** `name` with Ollama's default tag. */
function withTag(name: string): string {
  const slash = name.lastIndexOf('/');
  return name.indexOf(':', slash + 1) === -1 ? `${name}:latest` : name;
}

const isEmbeddingModel = (id: string) => /embed|bge|minilm/i.test(id);

/** The GGUF architecture Ollama would report for a model name (a guess from the name). */
function architectureOf(id: string): string {
  if (isEmbeddingModel(id)) return id.startsWith('nomic') ? 'nomic-bert' : 'bert';
  const base = id.slice(id.lastIndexOf('/') + 1).split(':')[0] ?? id;
  return /^[a-z]+/i.exec(base)?.[0]?.toLowerCase() ?? 'llama';
}

function detailsOf(id: string) {
  const family = architectureOf(id);
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: isEmbeddingModel(id) ? '137M' : '3.2B',
    quantization_level: isEmbeddingModel(id) ? 'F16' : 'Q4_K_M',
  };
}

const sizeOf = (id: string) => (isEmbeddingModel(id) ? 274302450 : 2019393189);
const MODIFIED_AT = '2025-06-01T10:00:00.123456789Z';

/** Maps a script's finish reason to Ollama's `done_reason` (Ollama says `stop` for tool calls). */
const doneReasonOf = (plan: ScriptPlan) => (plan.finishReason === 'length' ? 'length' : 'stop');

/**
 * A fake Ollama server (`/api/*`, NDJSON streaming by default). `unhealthy` makes it reset every
 * connection, like a dead server: Ollama has no unhealthy answer of its own.
 */
class FakeOllamaServer extends FakeServer implements FakeOllama {
  /** Models a call has "loaded" since the last reset, for `/api/ps`. */
  private readonly loaded = new Set<string>();

  constructor(models: FakeModel[]) {
    super(models);
  }

  protected isModelCall(method: string, path: string): boolean {
    return method === 'POST' && MODEL_CALLS.has(path);
  }

  protected override onReset(): void {
    this.loaded.clear();
  }

  protected async route(ex: Exchange): Promise<void> {
    if (this.unhealthy) return ex.reset();
    const { method, path } = ex.record;
    switch (`${method} ${path}`) {
      case 'GET /':
      case 'HEAD /':
        return this.send(ex, 200, 'text/plain; charset=utf-8', 'Ollama is running');
      case 'GET /api/version':
        return this.json(ex, 200, { version: FAKE_OLLAMA_VERSION });
      case 'GET /api/tags':
        return this.json(ex, 200, { models: this.models.map((m) => this.tag(m)) });
      case 'GET /api/ps':
        return this.json(ex, 200, { models: this.runningModels() });
      case 'POST /api/show':
        return this.show(ex);
      case 'POST /api/chat':
        return this.generate(ex, 'chat');
      case 'POST /api/generate':
        return this.generate(ex, 'generate');
      case 'POST /api/embed':
        return this.embed(ex, false);
      case 'POST /api/embeddings':
        return this.embed(ex, true);
      default:
        return this.send(ex, 404, 'text/plain', '404 page not found');
    }
  }

  private json(ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}) {
    return this.send(ex, status, JSON_TYPE, goJson(body), headers);
  }

  private error(ex: Exchange, status: number, message: string, headers: Record<string, string> = {}) {
    return this.json(ex, status, { error: message }, headers);
  }

  private find(name: string): FakeModel | undefined {
    const wanted = withTag(name);
    return this.models.find((m) => withTag(m.id) === wanted);
  }

  private tag(model: FakeModel) {
    return {
      name: model.id,
      model: model.id,
      modified_at: MODIFIED_AT,
      size: sizeOf(model.id),
      digest: sha256Hex(model.id),
      details: detailsOf(model.id),
    };
  }

  private runningModels() {
    const expires = rfc3339Nano(Date.now() + 5 * 60_000);
    return this.models
      .filter((m) => this.loaded.has(withTag(m.id)))
      .map((m) => ({
        name: m.id,
        model: m.id,
        size: sizeOf(m.id),
        digest: sha256Hex(m.id),
        details: detailsOf(m.id),
        expires_at: expires,
        size_vram: sizeOf(m.id),
        context_length: m.contextLength ?? 4096,
      }));
  }

  /** Validates the body and the model; answers the error itself and returns `undefined` on failure. */
  private async parse(ex: Exchange): Promise<{ body: Record<string, unknown>; model: string } | undefined> {
    const body = ex.record.body;
    if (!isRecord(body)) {
      await this.error(ex, 400, goDecodeError(ex.record.rawBody, body));
      return undefined;
    }
    const model =
      typeof body.model === 'string' ? body.model : typeof body.name === 'string' ? body.name : '';
    if (model === '') {
      await this.error(ex, 400, 'model is required');
      return undefined;
    }
    if (!this.find(model)) {
      await this.error(ex, 404, `model '${model}' not found`);
      return undefined;
    }
    return { body, model };
  }

  private async show(ex: Exchange): Promise<void> {
    const parsed = await this.parse(ex);
    if (!parsed) return;
    const model = this.find(parsed.model)!;
    const arch = architectureOf(model.id);
    const modelInfo: Record<string, unknown> = {
      'general.architecture': arch,
      'general.parameter_count': isEmbeddingModel(model.id) ? 136727040 : 3212749888,
    };
    if (model.contextLength !== undefined) modelInfo[`${arch}.context_length`] = model.contextLength;
    modelInfo[`${arch}.embedding_length`] = isEmbeddingModel(model.id) ? 768 : 3072;
    const capabilities = isEmbeddingModel(model.id)
      ? ['embedding']
      : [
          'completion',
          'tools',
          ...(/qwen3|deepseek-r1|gpt-oss|magistral/i.test(model.id) ? ['thinking'] : []),
        ];
    return this.json(ex, 200, {
      modelfile: `# Modelfile generated by "ollama show"\nFROM ${model.id}\n`,
      parameters: [
        ...(model.numCtx === undefined ? [] : [parameter('num_ctx', String(model.numCtx))]),
        parameter('stop', '"<|eot_id|>"'),
      ].join('\n'),
      template: '{{ .Prompt }}',
      details: detailsOf(model.id),
      model_info: modelInfo,
      capabilities,
      modified_at: MODIFIED_AT,
    });
  }

  /** Durations in integer nanoseconds; zero counts (and their durations) left out, as Go's omitempty does. */
  private metrics(ex: Exchange, plan: ScriptPlan): Record<string, number> {
    const load = 1_334_875;
    const promptDuration = plan.promptTokens * 1_500_000;
    const evalDuration = plan.completionTokens * 20_000_000;
    const elapsed = Math.round((performance.now() - ex.record.receivedAt) * 1e6);
    const metrics: Record<string, number> = {
      total_duration: elapsed + load + promptDuration + evalDuration,
      load_duration: load,
      prompt_eval_count: plan.promptTokens,
      prompt_eval_duration: promptDuration,
      eval_count: plan.completionTokens,
      eval_duration: evalDuration,
    };
    for (const key of Object.keys(metrics)) if (!metrics[key]) delete metrics[key];
    return metrics;
  }

  private async generate(ex: Exchange, kind: 'chat' | 'generate'): Promise<void> {
    const parsed = await this.parse(ex);
    if (!parsed) return;
    const { body, model } = parsed;
    const chat = kind === 'chat';
    const createdAt = () => rfc3339Nano();

    // An empty conversation only loads (or, with keep_alive 0, unloads) the model.
    const empty = chat
      ? !Array.isArray(body.messages) || body.messages.length === 0
      : typeof body.prompt !== 'string' || body.prompt === '';
    if (empty) {
      const unload = body.keep_alive === 0 || body.keep_alive === '0' || body.keep_alive === '0s';
      if (unload) this.loaded.delete(withTag(model));
      else this.loaded.add(withTag(model));
      const content = chat ? { message: { role: 'assistant', content: '' } } : { response: '' };
      return this.json(ex, 200, {
        model,
        created_at: createdAt(),
        ...content,
        done: true,
        done_reason: unload ? 'unload' : 'load',
      });
    }

    const script = this.takeScript(ex);
    this.loaded.add(withTag(model));
    if (!(await this.prelude(ex, script))) return;
    if (script.httpError) {
      const { status, message } = script.httpError;
      return this.error(ex, status, message ?? defaultMessage(status, model), retryHeaders(script.httpError));
    }
    const plan = planOf(script);
    if (body.stream === false) return this.answerOnce(ex, script, plan, kind, model);

    const message = (content: string, extra: Record<string, unknown> = {}) =>
      chat ? { message: { role: 'assistant', content, ...extra } } : { response: content, ...extra };
    const render: StreamRenderer = {
      opening: () => [],
      reasoning: (piece) =>
        line({ model, created_at: createdAt(), ...message('', { thinking: piece }), done: false }),
      token: (piece) => line({ model, created_at: createdAt(), ...message(piece), done: false }),
      toolCalls: (calls) => {
        if (calls.length === 0) return [];
        const toolCalls = ollamaToolCalls(calls, script.omitToolCallIds === true);
        return [
          line(
            chat
              ? { model, created_at: createdAt(), ...message('', { tool_calls: toolCalls }), done: false }
              : { model, created_at: createdAt(), response: '', done: false, tool_calls: toolCalls },
          ),
        ];
      },
      malformed: () => `{"model":"${model}","created_at":\n`,
      error: (text) => [line({ error: text })],
      terminal: () => [
        line({
          model,
          created_at: createdAt(),
          ...message(''),
          done: true,
          done_reason: doneReasonOf(plan),
          ...(chat ? {} : { context: contextOf(plan) }),
          ...this.metrics(ex, plan),
        }),
      ],
    };
    if (!this.openStream(ex, NDJSON_TYPE)) return;
    await playStream(ex, script, plan, render, DEFAULT_STREAM_ERROR);
  }

  /** `stream: false`: one object shaped like the final chunk, with everything gathered. */
  private async answerOnce(
    ex: Exchange,
    script: FakeScript,
    plan: ScriptPlan,
    kind: 'chat' | 'generate',
    model: string,
  ): Promise<void> {
    if (!(await ex.sleep(nonStreamWaitMs(script, plan)))) return;
    if (script.errorAfterTokens !== undefined) {
      return this.error(ex, 500, script.streamErrorMessage ?? DEFAULT_STREAM_ERROR);
    }
    const content = plan.tokens.join('');
    const thinking = plan.reasoning.join('');
    const toolCalls =
      plan.toolCalls.length > 0
        ? ollamaToolCalls(plan.toolCalls, script.omitToolCallIds === true)
        : undefined;
    const head = { model, created_at: rfc3339Nano() };
    const tail = { done: true, done_reason: doneReasonOf(plan) };
    const body =
      kind === 'chat'
        ? {
            ...head,
            message: {
              role: 'assistant',
              content,
              ...(thinking ? { thinking } : {}),
              ...(toolCalls ? { tool_calls: toolCalls } : {}),
            },
            ...tail,
            ...this.metrics(ex, plan),
          }
        : {
            ...head,
            response: content,
            ...(thinking ? { thinking } : {}),
            ...tail,
            context: contextOf(plan),
            ...this.metrics(ex, plan),
            ...(toolCalls ? { tool_calls: toolCalls } : {}),
          };
    return this.sendScripted(ex, script, JSON_TYPE, goJson(body));
  }

  private async embed(ex: Exchange, legacy: boolean): Promise<void> {
    const parsed = await this.parse(ex);
    if (!parsed) return;
    const { body, model } = parsed;
    const script = this.takeScript(ex);
    this.loaded.add(withTag(model));
    if (!(await this.prelude(ex, script))) return;
    if (script.httpError) {
      const { status, message } = script.httpError;
      return this.error(ex, status, message ?? defaultMessage(status, model), retryHeaders(script.httpError));
    }
    const plan = planOf(script);
    if (!(await ex.sleep(nonStreamWaitMs(script, plan)))) return;
    if (script.errorAfterTokens !== undefined) {
      return this.error(ex, 500, script.streamErrorMessage ?? DEFAULT_STREAM_ERROR);
    }
    const dimensions =
      script.embeddingDimensions ?? (typeof body.dimensions === 'number' ? body.dimensions : undefined);
    if (legacy) {
      const prompt = typeof body.prompt === 'string' ? body.prompt : '';
      return this.sendScripted(
        ex,
        script,
        JSON_TYPE,
        goJson({ embedding: fakeEmbedding(prompt, dimensions) }),
      );
    }
    const texts = body.input === undefined ? [] : embeddingTexts(body.input);
    if (!texts) return this.error(ex, 400, 'invalid input type');
    return this.sendScripted(
      ex,
      script,
      JSON_TYPE,
      goJson({
        model,
        embeddings: texts.map((text) => fakeEmbedding(text, dimensions)),
        total_duration: Math.round((performance.now() - ex.record.receivedAt) * 1e6) + 14_143_917,
        load_duration: 1_019_500,
        ...(plan.promptTokens ? { prompt_eval_count: plan.promptTokens } : {}),
      }),
    );
  }
}

function ollamaToolCalls(calls: FakeToolCall[], omitIds: boolean) {
  return calls.map((call, index) => ({
    ...(omitIds ? {} : { id: `call_${randomAlnum(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}` }),
    function: { index, name: call.name, arguments: call.arguments },
  }));
}

/** The deprecated `context` of `/api/generate`: token ids of the whole exchange. */
function contextOf(plan: ScriptPlan): number[] {
  return Array.from({ length: plan.promptTokens + plan.completionTokens }, (_, i) => 128000 + i);
}

/** What Go's JSON decoder says about a body that is not a JSON object. */
function goDecodeError(rawBody: string, parsed: unknown): string {
  const raw = rawBody.trim();
  if (raw === '') return 'missing request body';
  if (parsed === undefined) {
    return /^[[{]/.test(raw)
      ? 'unexpected EOF'
      : `invalid character '${raw[0]}' looking for beginning of value`;
  }
  const kind = Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed;
  return `json: cannot unmarshal ${kind} into Go value of type api.ChatRequest`;
}

function defaultMessage(status: number, model: string): string {
  switch (status) {
    case 404:
      return `model '${model}' not found`;
    case 503:
      return 'server busy, please try again.  maximum pending requests exceeded';
    case 400:
      return 'invalid request';
    default:
      return 'an error was encountered while running the model';
  }
}

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  return new FakeOllamaServer(options.models ?? [...DEFAULT_OLLAMA_MODELS]).listen(options.port);
}
