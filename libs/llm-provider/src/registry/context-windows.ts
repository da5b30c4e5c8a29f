import type { LlmProvider, LlmRequestOptions } from '../contract';

export interface ContextWindowPolicy {
  /** How long a window an upstream reported is reused. */
  ttlMs: number;
  /**
   * How long a model is answered as unknown after its upstream failed, was too slow or reported
   * nothing. Short: behind a gateway, "nothing" may be the gateway's own failed lookup.
   */
  unknownTtlMs: number;
  /** The most provider + model pairs remembered: model names come from callers. */
  maxEntries: number;
  /** The longest a lookup may take, the resolution of the reference included. */
  deadlineMs: number;
}

export const DEFAULT_CONTEXT_WINDOW_POLICY: ContextWindowPolicy = {
  ttlMs: 10 * 60_000,
  unknownTtlMs: 30_000,
  maxEntries: 1_000,
  deadlineMs: 1_000,
};

/** The provider and model a reference stands for. */
export interface ContextWindowTarget {
  provider: LlmProvider;
  model: string;
}

/** Finds the target of a reference within the deadline it is given (it may list models). */
export type ContextWindowResolver = (options: LlmRequestOptions) => Promise<ContextWindowTarget | undefined>;

interface Remembered {
  window: number | undefined;
  until: number;
}

/**
 * Context windows as the upstreams report them, remembered per provider and model. A lookup never
 * rejects and never outlasts its deadline: an upstream that fails, hangs or says nothing is answered
 * as unknown (`undefined`) and remembered so for a short while, so it costs a chat one wait at most
 * every `unknownTtlMs`. Lookups of one model at the same time share one upstream request.
 */
export class ContextWindows {
  private readonly remembered = new Map<string, Remembered>();
  private readonly asking = new Map<string, Promise<number | undefined>>();

  constructor(
    private readonly policy: ContextWindowPolicy = DEFAULT_CONTEXT_WINDOW_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  lookup(resolve: ContextWindowResolver, options: LlmRequestOptions = {}): Promise<number | undefined> {
    const deadlineMs = options.timeouts?.totalMs ?? this.policy.deadlineMs;
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    return settleBy(this.find(resolve, { signal, timeouts: { totalMs: deadlineMs } }), signal);
  }

  private async find(
    resolve: ContextWindowResolver,
    options: LlmRequestOptions,
  ): Promise<number | undefined> {
    const target = await resolve(options);
    if (target === undefined) return undefined;
    const key = `${target.provider.id}\u0000${target.model}`;
    const remembered = this.remembered.get(key);
    if (remembered && remembered.until > this.now()) return remembered.window;
    let asking = this.asking.get(key);
    if (asking === undefined) {
      asking = this.ask(key, target);
      this.asking.set(key, asking);
    }
    return asking;
  }

  /** One upstream request, under the policy's deadline (not a caller's: others may share it). */
  private async ask(key: string, { provider, model }: ContextWindowTarget): Promise<number | undefined> {
    const { deadlineMs } = this.policy;
    const deadline = AbortSignal.timeout(deadlineMs);
    // A provider without the method (or one that throws at once) is unknown, like one that fails.
    const request = Promise.resolve().then(() =>
      provider.contextWindow?.(model, { signal: deadline, timeouts: { totalMs: deadlineMs } }),
    );
    // Settled by the deadline even if the provider ignores its signal.
    const window = await settleBy(request, deadline);
    this.asking.delete(key);
    this.remember(key, window);
    return window;
  }

  private remember(key: string, window: number | undefined): void {
    const ttlMs = window === undefined ? this.policy.unknownTtlMs : this.policy.ttlMs;
    // Re-inserted at the end, so the first key is always the oldest one to evict.
    this.remembered.delete(key);
    this.remembered.set(key, { window, until: this.now() + ttlMs });
    for (const oldest of this.remembered.keys()) {
      if (this.remembered.size <= this.policy.maxEntries) break;
      this.remembered.delete(oldest);
    }
  }
}

/** The work's window, or `undefined` when it fails or the signal aborts first. */
function settleBy(work: Promise<number | undefined>, signal: AbortSignal): Promise<number | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, () => resolve(undefined)).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
