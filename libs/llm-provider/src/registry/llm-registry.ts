import {
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
} from '../contract';

/** A call whose model may be left out (the default) or prefixed with a provider id. */
export type LlmRequest = Omit<LlmCallOptions, 'model'> & { model?: string };
export type LlmEmbedRequest = Omit<LlmEmbedOptions, 'model'> & { model?: string };

export interface ResolvedModel {
  provider: LlmProvider;
  model: string;
}

export interface ModelListing {
  models: LlmModelInfo[];
  /** Providers that could not be listed; the others still are. */
  errors: { provider: string; error: LlmError }[];
}

export interface LlmRegistryOptions {
  defaultProvider: string;
  defaultModel?: string;
  /** How long a default model found by listing is reused (default 30 s). */
  defaultModelTtlMs?: number;
}

/**
 * The configured providers under one roof, resolved by name (Ghostfolio's data-provider pattern).
 * A model reference is `model` (the default provider), or `<provider>/<model>` / `<provider>:<model>`
 * when the prefix names a configured provider — Ollama tags (`llama3.2:latest`) and Hugging Face ids
 * (`meta-llama/Llama-3.1-8B`) contain those separators too, so only a known provider id counts.
 */
export class LlmRegistry {
  private readonly byId = new Map<string, LlmProvider>();
  private discoveredDefault: { model: string; until: number } | undefined;

  constructor(
    providers: LlmProvider[],
    private readonly options: LlmRegistryOptions,
  ) {
    for (const provider of providers) {
      if (this.byId.has(provider.id)) throw new Error(`duplicate LLM provider id '${provider.id}'`);
      this.byId.set(provider.id, provider);
    }
    if (!this.byId.has(options.defaultProvider)) {
      throw new Error(`the default LLM provider '${options.defaultProvider}' is not configured`);
    }
  }

  list(): LlmProvider[] {
    return [...this.byId.values()];
  }

  get(id: string): LlmProvider {
    const provider = this.byId.get(id);
    if (!provider) throw new LlmError('bad_request', `unknown LLM provider '${id}'`);
    return provider;
  }

  get defaultProvider(): LlmProvider {
    return this.get(this.options.defaultProvider);
  }

  async resolve(model?: string, options: LlmRequestOptions = {}): Promise<ResolvedModel> {
    if (model !== undefined && model.trim() !== '') {
      const [, prefix = '', rest = ''] = /^([^/:]+)[/:](.+)$/.exec(model) ?? [];
      const prefixed = this.byId.get(prefix);
      if (prefixed) return { provider: prefixed, model: rest };
      return { provider: this.defaultProvider, model };
    }
    return { provider: this.defaultProvider, model: await this.defaultModel(options) };
  }

  stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    return this.streamResolved(request);
  }

  async chat(request: LlmRequest): Promise<LlmChatResult> {
    const { provider, model } = await this.resolve(request.model, request);
    return provider.chat({ ...request, model });
  }

  async embed(request: LlmEmbedRequest): Promise<LlmEmbedResult> {
    const { provider, model } = await this.resolve(request.model, request);
    return provider.embed({ ...request, model });
  }

  async listModels(options: LlmRequestOptions = {}): Promise<ModelListing> {
    const listing: ModelListing = { models: [], errors: [] };
    await Promise.all(
      this.list().map(async (provider) => {
        try {
          listing.models.push(...(await provider.listModels(options)));
        } catch (error) {
          listing.errors.push({ provider: provider.id, error: toLlmError(error, provider) });
        }
      }),
    );
    return listing;
  }

  health(options: LlmRequestOptions = {}): Promise<LlmHealth[]> {
    return Promise.all(this.list().map((provider) => provider.health(options)));
  }

  private async *streamResolved(request: LlmRequest): AsyncGenerator<LlmStreamEvent> {
    let resolved: ResolvedModel;
    try {
      resolved = await this.resolve(request.model, request);
    } catch (error) {
      yield { type: 'error', error: toLlmError(error, this.defaultProvider) };
      return;
    }
    yield* resolved.provider.stream({ ...request, model: resolved.model });
  }

  private async defaultModel(options: LlmRequestOptions): Promise<string> {
    if (this.options.defaultModel !== undefined) return this.options.defaultModel;
    if (this.discoveredDefault && this.discoveredDefault.until > Date.now())
      return this.discoveredDefault.model;
    const provider = this.defaultProvider;
    const models = await provider.listModels(options);
    const first = models[0];
    if (!first) {
      throw new LlmError(
        'model_not_found',
        `provider '${provider.id}' at ${provider.baseUrl} lists no models`,
        {
          provider: provider.id,
          url: provider.baseUrl,
        },
      );
    }
    this.discoveredDefault = {
      model: first.id,
      until: Date.now() + (this.options.defaultModelTtlMs ?? 30_000),
    };
    return first.id;
  }
}

function toLlmError(error: unknown, provider: LlmProvider): LlmError {
  if (LlmError.is(error)) return error;
  return new LlmError('upstream', error instanceof Error ? error.message : String(error), {
    provider: provider.id,
    url: provider.baseUrl,
    cause: error,
  });
}
