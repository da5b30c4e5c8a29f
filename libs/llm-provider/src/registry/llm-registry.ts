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
  ConcurrencyLimiter,
  DEFAULT_BACKOFF,
  DEFAULT_CIRCUIT_BREAKER,
  retryDelayMs,
  sleep,
  UNLIMITED_CONCURRENCY,
  UpstreamCircuits,
  type BackoffPolicy,
  type CircuitBreakerPolicy,
  type ConcurrencyPolicy,
  type UpstreamAdmission,
} from '../resilience';
import type { RoutingConfig } from '../routing';
import { AttemptLease } from './attempt-lease';
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

/** What the registry keeps per upstream: its circuits (the server's, each model's) and its queue. */
interface Upstream {
  provider: LlmProvider;
  circuits: UpstreamCircuits;
  limiter: ConcurrencyLimiter;
}

/** One try of the attempt loop: where it goes, its lease on the upstream, its deadlines. */
interface AttemptCall {
  target: ChainTarget;
  lease: AttemptLease;
  timeouts: LlmTimeouts | undefined;
}

/** `done`: the attempt answered (a stream that delivered anything counts, even if it then failed). */
type AttemptOutcome<T> = { kind: 'done'; value: T } | { kind: 'failed'; error: LlmError };

const DONE: AttemptOutcome<void> = { kind: 'done', value: undefined };

/** Health lists this many failing models at most (their names come from callers). */
const MAX_LISTED_FAILING_MODELS = 20;

/** The codes a chain falls over on before the first token (and retries when they are retryable). */
const FALLBACK_CODES = new Set(['unavailable', 'timeout', 'upstream', 'rate_limited']);

/**
 * The configured providers under one roof, resolved by name (Ghostfolio's data-provider pattern), and
 * the traffic control above the adapters: fallback chains, retries with backoff, circuit breakers per
 * server and per model, and a bounded queue per upstream.
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
        circuits: new UpstreamCircuits(
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
  stream(request: LlmRequest): AsyncGenerator<LlmStreamEvent> {
    return this.run(request, (call) => this.streamAttempt(request, call));
  }

  /** The non-streamed form of the same chain: retries, fallback, breakers and queue alike. */
  async chat(request: LlmRequest): Promise<LlmChatResult> {
    return settle(
      this.run(request, (call) =>
        callAttempt(call, () =>
          call.target.provider.chat({ ...request, model: call.target.model, timeouts: call.timeouts }),
        ),
      ),
    );
  }

  async embed(request: LlmEmbedRequest): Promise<LlmEmbedResult> {
    return settle(
      this.run(request, (call) =>
        callAttempt(call, () =>
          call.target.provider.embed({ ...request, model: call.target.model, timeouts: call.timeouts }),
        ),
      ),
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

  /**
   * Each upstream's health, with its circuits and queue. An open server circuit is not healthy; a
   * failing model is listed (at most `MAX_LISTED_FAILING_MODELS`), the others still serve.
   */
  health(options: LlmRequestOptions = {}): Promise<LlmHealth[]> {
    return Promise.all(
      [...this.upstreams.values()].map(async ({ provider, circuits, limiter }) => {
        const health = await provider.health(options);
        const circuit = circuits.state;
        const failingModels = circuits.failingModels.slice(0, MAX_LISTED_FAILING_MODELS);
        return {
          ...health,
          ok: health.ok && circuit !== 'open',
          circuit,
          ...(failingModels.length > 0 ? { failingModels } : {}),
          inFlight: limiter.inFlight,
          queued: limiter.waiting,
        };
      }),
    );
  }

  /**
   * The one attempt loop, for streamed and non-streamed calls: along the chain, each target is tried
   * while its circuits admit the call and a slot is free (the wait reported as `queued` events), and
   * retried with backoff on a retryable failure. Returns the attempt's value; a call that cannot be
   * served ends with an `error` event (what a stream yields; `settle` throws it).
   */
  private async *run<T>(
    request: LlmRequestOptions & { model?: string },
    attempt: (call: AttemptCall) => AsyncGenerator<LlmStreamEvent, AttemptOutcome<T>>,
  ): AsyncGenerator<LlmStreamEvent, T | undefined> {
    let failure: LlmError;
    try {
      const chain = await this.chain(request.model, request);
      const signal = request.signal;
      let lastError: LlmError | undefined;
      for (const target of chain) {
        const upstream = this.upstreamOf(target.provider);
        const retries = target.retries ?? this.backoff.maxRetries;
        const timeouts = target.timeouts ? { ...target.timeouts, ...request.timeouts } : request.timeouts;
        for (let retry = 0; ; retry++) {
          if (signal?.aborted) throw aborted(target.provider.id);
          const admission = upstream.circuits.admit(target.model);
          if (!admission.ok) {
            lastError = circuitOpen(target, admission);
            break;
          }
          const lease = new AttemptLease(admission.server, admission.model);
          let outcome: AttemptOutcome<T>;
          try {
            const slot = upstream.limiter.tryAcquire();
            const refused = slot
              ? lease.hold(slot)
              : yield* waitForSlot(upstream.limiter, target.provider, lease, signal);
            if (refused) {
              lastError = refused;
              break;
            }
            outcome = yield* attempt({ target, lease, timeouts });
          } finally {
            lease.release();
          }
          if (outcome.kind === 'done') return outcome.value;
          const error = outcome.error;
          if (error.code === 'aborted' || !FALLBACK_CODES.has(error.code)) throw error;
          lastError = error;
          const delay =
            error.retryable && retry < retries
              ? retryDelayMs(retry + 1, this.backoff, error.retryAfterMs)
              : undefined;
          if (delay === undefined) break;
          await sleep(delay, signal).catch(() => {
            throw aborted(target.provider.id);
          });
        }
      }
      failure = lastError ?? new LlmError('unavailable', 'no LLM target could serve the request');
    } catch (error) {
      failure = toLlmError(error, this.defaultProvider);
    }
    yield { type: 'error', error: failure };
    return undefined;
  }

  /** One streamed try on one target; events pass through, `start` held until there is something to say. */
  private async *streamAttempt(
    request: LlmRequest,
    { target, lease, timeouts }: AttemptCall,
  ): AsyncGenerator<LlmStreamEvent, AttemptOutcome<void>> {
    let start: LlmStreamEvent | undefined;
    let delivered = false;
    for await (const event of target.provider.stream({ ...request, model: target.model, timeouts })) {
      if (event.type === 'error') {
        lease.fail(event.error);
        if (!delivered) return { kind: 'failed', error: event.error };
        yield event;
        return DONE;
      }
      if (!delivered && event.type === 'start') {
        // A Sluice gateway that queued the call sends who serves again once it knows: the last wins.
        start = event;
        continue;
      }
      if (!delivered && event.type === 'queued') {
        // The queue of a gateway in front: a place in line is not an answer, so a failure after it
        // may still be retried or fall over, as with this registry's own queue.
        yield event;
        continue;
      }
      // Settled before the consumer sees the end: most stop reading at `finish`.
      if (event.type === 'finish') lease.succeed();
      if (!delivered) {
        delivered = true;
        if (start) yield start;
      }
      yield event;
      if (event.type === 'finish') return DONE;
    }
    // The contract promises a terminal event; a quiet end is not a clean one.
    const truncated = new LlmError('upstream', 'the stream ended without a finish', {
      provider: target.provider.id,
    });
    lease.fail(truncated);
    if (!delivered) return { kind: 'failed', error: truncated };
    yield { type: 'error', error: truncated };
    return DONE;
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

/** A refusal by a circuit: nothing was sent; the caller learns when a probe will be let through. */
function circuitOpen(target: ChainTarget, refusal: Extract<UpstreamAdmission, { ok: false }>): LlmError {
  const { provider } = target;
  const what = refusal.scope === 'model' ? `model ${target.model} on ${provider.id}` : provider.id;
  return new LlmError('unavailable', `${what} at ${provider.baseUrl} is failing: circuit open`, {
    provider: provider.id,
    url: provider.baseUrl,
    retryAfterMs: refusal.retryAfterMs,
  });
}

/**
 * Waits for a free slot on the upstream, reporting the place in line; the slot goes to the lease.
 * Returns the queue's refusal (full, waited too long): nothing reached the upstream then.
 */
async function* waitForSlot(
  limiter: ConcurrencyLimiter,
  provider: LlmProvider,
  lease: AttemptLease,
  signal: AbortSignal | undefined,
): AsyncGenerator<LlmStreamEvent, LlmError | undefined> {
  try {
    for await (const turn of limiter.waitTurn(signal)) {
      if (turn.type === 'queued') yield { type: 'queued', provider: provider.id, position: turn.position };
      else lease.hold(turn.release);
    }
    return undefined;
  } catch (error) {
    if (signal?.aborted) throw aborted(provider.id);
    return toLlmError(error, provider);
  }
}

/** A non-streamed call as one attempt: settles its lease with the outcome. */
// A generator with nothing to yield, so that both kinds of call share the one attempt loop.
// eslint-disable-next-line require-yield
async function* callAttempt<T>(
  call: AttemptCall,
  invoke: () => Promise<T>,
): AsyncGenerator<never, AttemptOutcome<T>> {
  try {
    const value = await invoke();
    call.lease.succeed();
    return { kind: 'done', value };
  } catch (error) {
    const failure = toLlmError(error, call.target.provider);
    call.lease.fail(failure);
    return { kind: 'failed', error: failure };
  }
}

/**
 * Runs the attempt loop of a non-streamed call to its end: its queue updates have no reader, its
 * `error` event is thrown. The loop returns a value only when no error came first.
 */
async function settle<T>(run: AsyncGenerator<LlmStreamEvent, T | undefined>): Promise<T> {
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value as T;
    if (step.value.type === 'error') {
      void run.return(undefined);
      throw step.value.error;
    }
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
