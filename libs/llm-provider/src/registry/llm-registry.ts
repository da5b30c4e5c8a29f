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
  type LlmTimeouts,
} from '../contract';
import {
  CircuitBreaker,
  ConcurrencyLimiter,
  countsAsUpstreamFailure,
  DEFAULT_BACKOFF,
  DEFAULT_CIRCUIT_BREAKER,
  retryDelayMs,
  sleep,
  UNLIMITED_CONCURRENCY,
  type BackoffPolicy,
  type CircuitBreakerPolicy,
  type ConcurrencyPolicy,
} from '../resilience';
import type { RoutingConfig } from '../routing';
import { ContextWindows } from './context-windows';

/** A call whose model may be left out (the default), prefixed with a provider id, or an alias. */
export type LlmRequest = Omit<LlmCallOptions, 'model'> & { model?: string };
export type LlmEmbedRequest = Omit<LlmEmbedOptions, 'model'> & { model?: string };

export interface ResolvedModel {
  provider: LlmProvider;
  model: string;
}

/** One link of a fallback chain. */
export interface ChainTarget extends ResolvedModel {
  timeouts?: LlmTimeouts;
  retries?: number;
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
  routing?: RoutingConfig;
  backoff?: BackoffPolicy;
  circuitBreaker?: CircuitBreakerPolicy;
  /** The default for every upstream; `routing.providers` sets each one's own. */
  concurrency?: ConcurrencyPolicy;
}

/** What the registry keeps per upstream: its breaker and its concurrency queue. */
interface Upstream {
  provider: LlmProvider;
  breaker: CircuitBreaker;
  limiter: ConcurrencyLimiter;
}

type AttemptOutcome = { kind: 'ended' } | { kind: 'failed'; error: LlmError };

/** The codes a chain falls over on before the first token (and retries when they are retryable). */
const FALLBACK_CODES = new Set(['unavailable', 'timeout', 'upstream', 'rate_limited']);

/**
 * The configured providers under one roof, resolved by name (Ghostfolio's data-provider pattern), and
 * the traffic control above the adapters: fallback chains, retries with backoff, a circuit breaker and
 * a bounded queue per upstream.
 *
 * A model reference is an alias from the routing file, a bare model (the default provider), or
 * `<provider>/<model>` / `<provider>:<model>` when the prefix names a configured provider — Ollama tags
 * (`llama3.2:latest`) and Hugging Face ids (`meta-llama/Llama-3.1-8B`) contain those separators too,
 * so only a known provider id counts.
 */
export class LlmRegistry {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly backoff: BackoffPolicy;
  private discoveredDefault: { model: string; until: number } | undefined;
  private readonly contextWindows = new ContextWindows();

  constructor(
    providers: LlmProvider[],
    private readonly options: LlmRegistryOptions,
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    for (const provider of providers) {
      if (this.upstreams.has(provider.id)) throw new Error(`duplicate LLM provider id '${provider.id}'`);
      const limits = options.routing?.providers[provider.id] ?? {};
      const concurrency = options.concurrency ?? UNLIMITED_CONCURRENCY;
      this.upstreams.set(provider.id, {
        provider,
        breaker: new CircuitBreaker(
          limits.circuitBreaker ?? options.circuitBreaker ?? DEFAULT_CIRCUIT_BREAKER,
        ),
        limiter: new ConcurrencyLimiter(
          {
            maxConcurrent: limits.maxConcurrent ?? concurrency.maxConcurrent,
            maxQueue: limits.maxQueue ?? concurrency.maxQueue,
            queueTimeoutMs: limits.queueTimeoutMs ?? concurrency.queueTimeoutMs,
          },
          provider.id,
        ),
      });
    }
    if (!this.upstreams.has(options.defaultProvider)) {
      throw new Error(`the default LLM provider '${options.defaultProvider}' is not configured`);
    }
  }

  list(): LlmProvider[] {
    return [...this.upstreams.values()].map((upstream) => upstream.provider);
  }

  get(id: string): LlmProvider {
    const upstream = this.upstreams.get(id);
    if (!upstream) throw new LlmError('bad_request', `unknown LLM provider '${id}'`);
    return upstream.provider;
  }

  get defaultProvider(): LlmProvider {
    return this.get(this.options.defaultProvider);
  }

  /** The aliases of the routing file. */
  get aliases(): string[] {
    return Object.keys(this.options.routing?.models ?? {});
  }

  async resolve(model?: string, options: LlmRequestOptions = {}): Promise<ResolvedModel> {
    if (model !== undefined && model.trim() !== '') {
      const [, prefix = '', rest = ''] = /^([^/:]+)[/:](.+)$/.exec(model) ?? [];
      const prefixed = this.upstreams.get(prefix);
      if (prefixed) return { provider: prefixed.provider, model: rest };
      return { provider: this.defaultProvider, model };
    }
    return { provider: this.defaultProvider, model: await this.defaultModel(options) };
  }

  /** The ordered targets a reference stands for: an alias's chain, or the one model it names. */
  async chain(model?: string, options: LlmRequestOptions = {}): Promise<ChainTarget[]> {
    const route = model === undefined ? undefined : this.options.routing?.models[model];
    if (route) {
      return route.map((target) => ({
        provider: this.get(target.provider),
        model: target.model,
        ...(target.timeouts ? { timeouts: target.timeouts } : {}),
        ...(target.retries === undefined ? {} : { retries: target.retries }),
      }));
    }
    return [await this.resolve(model, options)];
  }

  /**
   * The context window, in tokens, of the model a reference names (its chain's first target) when
   * the upstream reports one; `undefined` when it does not, fails or is slow. Never rejects, and
   * answers within about a second (see `ContextWindows`).
   */
  contextWindow(model?: string, options: LlmRequestOptions = {}): Promise<number | undefined> {
    return this.contextWindows.lookup(async (request) => (await this.chain(model, request))[0], options);
  }

  /**
   * Streams from the first target that answers. Before the first token, a failure that another try
   * may fix is retried with backoff (honouring Retry-After) and then falls over to the next target;
   * once a token has been sent, a failure ends the stream with an error event, the tokens kept. The
   * `start` event is held back until the first token so it names the target that actually served.
   */
  async *stream(request: LlmRequest): AsyncGenerator<LlmStreamEvent> {
    let chain: ChainTarget[];
    try {
      chain = await this.chain(request.model, request);
    } catch (error) {
      yield { type: 'error', error: toLlmError(error, this.defaultProvider) };
      return;
    }
    let lastError: LlmError | undefined;
    for (const target of chain) {
      const upstream = this.upstreamOf(target.provider);
      const retries = target.retries ?? this.backoff.maxRetries;
      for (let attempt = 0; ; attempt++) {
        if (request.signal?.aborted) {
          yield { type: 'error', error: aborted(target.provider.id) };
          return;
        }
        if (!upstream.breaker.tryPass()) {
          lastError = circuitOpen(upstream);
          break;
        }
        let release: (() => void) | undefined;
        try {
          for await (const turn of upstream.limiter.waitTurn(request.signal)) {
            if (turn.type === 'queued')
              yield { type: 'queued', provider: target.provider.id, position: turn.position };
            else release = turn.release;
          }
        } catch (error) {
          upstream.breaker.released();
          if (request.signal?.aborted) {
            yield { type: 'error', error: aborted(target.provider.id) };
            return;
          }
          lastError = toLlmError(error, target.provider);
          break;
        }
        if (!release) continue; // unreachable: a turn ends with a slot or a throw
        const outcome = yield* this.attempt(target, upstream, request, release);
        if (outcome.kind === 'ended') return;
        lastError = outcome.error;
        if (outcome.error.code === 'aborted') {
          yield { type: 'error', error: outcome.error };
          return;
        }
        if (!FALLBACK_CODES.has(outcome.error.code)) {
          yield { type: 'error', error: outcome.error };
          return;
        }
        const delay =
          outcome.error.retryable && attempt < retries
            ? retryDelayMs(attempt + 1, this.backoff, outcome.error.retryAfterMs)
            : undefined;
        if (delay === undefined) break;
        try {
          await sleep(delay, request.signal);
        } catch {
          yield { type: 'error', error: aborted(target.provider.id) };
          return;
        }
      }
    }
    yield {
      type: 'error',
      error: lastError ?? new LlmError('unavailable', 'no LLM target could serve the request'),
    };
  }

  async chat(request: LlmRequest): Promise<LlmChatResult> {
    return this.runChain(request, (target, timeouts) =>
      target.provider.chat({ ...request, model: target.model, ...(timeouts ? { timeouts } : {}) }),
    );
  }

  async embed(request: LlmEmbedRequest): Promise<LlmEmbedResult> {
    return this.runChain(request, (target, timeouts) =>
      target.provider.embed({ ...request, model: target.model, ...(timeouts ? { timeouts } : {}) }),
    );
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

  /** Each upstream's health, with its circuit state and queue. An open circuit is not healthy. */
  health(options: LlmRequestOptions = {}): Promise<LlmHealth[]> {
    return Promise.all(
      [...this.upstreams.values()].map(async ({ provider, breaker, limiter }) => {
        const health = await provider.health(options);
        const circuit = breaker.state;
        return {
          ...health,
          ok: health.ok && circuit !== 'open',
          circuit,
          inFlight: limiter.inFlight,
          queued: limiter.waiting,
        };
      }),
    );
  }

  /** One try on one target; events pass through, `start` held until there is something to say. */
  private async *attempt(
    target: ChainTarget,
    upstream: Upstream,
    request: LlmRequest,
    release: () => void,
  ): AsyncGenerator<LlmStreamEvent, AttemptOutcome> {
    let start: LlmStreamEvent | undefined;
    let delivered = false;
    let settled = false;
    const timeouts = target.timeouts ? { ...target.timeouts, ...request.timeouts } : request.timeouts;
    try {
      for await (const event of target.provider.stream({
        ...request,
        model: target.model,
        ...(timeouts ? { timeouts } : {}),
      })) {
        if (event.type === 'error') {
          settled = true;
          if (countsAsUpstreamFailure(event.error)) upstream.breaker.failed();
          else upstream.breaker.released();
          if (!delivered) return { kind: 'failed', error: event.error };
          yield event;
          return { kind: 'ended' };
        }
        if (event.type === 'start' && !delivered) {
          // A Sluice gateway that queued the call sends who serves again once it knows: the last wins.
          start = event;
          continue;
        }
        if (event.type === 'queued' && !delivered) {
          // The queue of a gateway in front: a place in line is not an answer, so a failure after it
          // may still be retried or fall over, as with this registry's own queue.
          yield event;
          continue;
        }
        if (!delivered) {
          delivered = true;
          if (start) yield start;
        }
        yield event;
        if (event.type === 'finish') {
          settled = true;
          upstream.breaker.succeeded();
          return { kind: 'ended' };
        }
      }
      return { kind: 'ended' };
    } finally {
      if (!settled) upstream.breaker.released();
      release();
    }
  }

  /** The non-streamed form of the same chain: retries, fallback, breaker and queue alike. */
  private async runChain<T>(
    request: { model?: string; signal?: AbortSignal; timeouts?: LlmTimeouts },
    call: (target: ChainTarget, timeouts: LlmTimeouts | undefined) => Promise<T>,
  ): Promise<T> {
    const chain = await this.chain(request.model, request);
    let lastError: LlmError | undefined;
    for (const target of chain) {
      const upstream = this.upstreamOf(target.provider);
      const retries = target.retries ?? this.backoff.maxRetries;
      for (let attempt = 0; ; attempt++) {
        if (request.signal?.aborted) throw aborted(target.provider.id);
        if (!upstream.breaker.tryPass()) {
          lastError = circuitOpen(upstream);
          break;
        }
        let release: (() => void) | undefined;
        try {
          for await (const turn of upstream.limiter.waitTurn(request.signal)) {
            if (turn.type === 'acquired') release = turn.release;
          }
        } catch (error) {
          upstream.breaker.released();
          if (request.signal?.aborted) throw aborted(target.provider.id);
          lastError = toLlmError(error, target.provider);
          break;
        }
        try {
          const timeouts = target.timeouts ? { ...target.timeouts, ...request.timeouts } : request.timeouts;
          const result = await call(target, timeouts);
          upstream.breaker.succeeded();
          return result;
        } catch (error) {
          const failure = toLlmError(error, target.provider);
          if (countsAsUpstreamFailure(failure)) upstream.breaker.failed();
          else upstream.breaker.released();
          if (failure.code === 'aborted' || !FALLBACK_CODES.has(failure.code)) throw failure;
          lastError = failure;
          const delay =
            failure.retryable && attempt < retries
              ? retryDelayMs(attempt + 1, this.backoff, failure.retryAfterMs)
              : undefined;
          if (delay === undefined) break;
          await sleep(delay, request.signal).catch(() => {
            throw aborted(target.provider.id);
          });
        } finally {
          release?.();
        }
      }
    }
    throw lastError ?? new LlmError('unavailable', 'no LLM target could serve the request');
  }

  private upstreamOf(provider: LlmProvider): Upstream {
    const upstream = this.upstreams.get(provider.id);
    if (!upstream) throw new LlmError('bad_request', `unknown LLM provider '${provider.id}'`);
    return upstream;
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

function aborted(provider: string): LlmError {
  return new LlmError('aborted', 'the caller aborted the request', { provider });
}

function circuitOpen(upstream: Upstream): LlmError {
  const { provider, breaker } = upstream;
  return new LlmError('unavailable', `${provider.id} at ${provider.baseUrl} is failing: circuit open`, {
    provider: provider.id,
    url: provider.baseUrl,
    retryAfterMs: breaker.retryInMs(),
  });
}

function toLlmError(error: unknown, provider: LlmProvider): LlmError {
  if (LlmError.is(error)) return error;
  return new LlmError('upstream', error instanceof Error ? error.message : String(error), {
    provider: provider.id,
    url: provider.baseUrl,
    cause: error,
  });
}
