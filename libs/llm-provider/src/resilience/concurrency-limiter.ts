import { LlmError } from '../contract';

export interface ConcurrencyPolicy {
  /** Calls in flight at once (what the model server runs in parallel); Infinity: no limit. */
  maxConcurrent: number;
  /** Calls that may wait for a slot; past that a call is refused with `rate_limited`. */
  maxQueue: number;
  /** The longest a call waits for a slot. */
  queueTimeoutMs: number;
}

export const UNLIMITED_CONCURRENCY: ConcurrencyPolicy = {
  maxConcurrent: Infinity,
  maxQueue: 0,
  queueTimeoutMs: 30_000,
};

export type TurnUpdate = { type: 'queued'; position: number } | { type: 'acquired'; release: () => void };

interface Waiter {
  grant(): void;
  moved(): void;
}

/**
 * A counting semaphore with a bounded FIFO queue. `waitTurn()` yields the caller's place in the
 * queue each time it changes, then the slot; leaving the iteration early gives up the place.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly policy: ConcurrencyPolicy,
    private readonly provider: string,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** A slot at once when one is free and nobody waits (the common case, without a generator); else nothing. */
  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.policy.maxConcurrent || this.queue.length > 0) return undefined;
    this.active++;
    return this.releaser();
  }

  async *waitTurn(signal?: AbortSignal): AsyncGenerator<TurnUpdate> {
    if (this.active < this.policy.maxConcurrent && this.queue.length === 0) {
      this.active++;
      yield { type: 'acquired', release: this.releaser() };
      return;
    }
    if (this.queue.length >= this.policy.maxQueue) {
      throw new LlmError(
        'rate_limited',
        `${this.provider} is at capacity: ${this.queue.length} calls already waiting`,
        {
          provider: this.provider,
          retryAfterMs: 1_000,
        },
      );
    }

    let wake: () => void = () => undefined;
    let granted = false;
    let changed = true;
    const waiter: Waiter = {
      grant: () => {
        granted = true;
        wake();
      },
      moved: () => {
        changed = true;
        wake();
      },
    };
    this.queue.push(waiter);
    const deadline = Date.now() + this.policy.queueTimeoutMs;
    try {
      for (;;) {
        if (granted) {
          yield { type: 'acquired', release: this.releaser() };
          return;
        }
        if (signal?.aborted) throw signal.reason as Error;
        if (changed) {
          changed = false;
          yield { type: 'queued', position: this.queue.indexOf(waiter) + 1 };
          continue;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new LlmError(
            'timeout',
            `waited ${this.policy.queueTimeoutMs} ms for a free slot on ${this.provider}`,
            {
              provider: this.provider,
            },
          );
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            wake = () => undefined;
            resolve();
          };
          const timer = setTimeout(done, remaining);
          signal?.addEventListener('abort', done, { once: true });
          wake = done;
        });
      }
    } finally {
      const index = this.queue.indexOf(waiter);
      if (index !== -1) {
        this.queue.splice(index, 1);
        for (const behind of this.queue.slice(index)) behind.moved();
      }
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) {
        next.grant(); // the slot passes straight to the next caller: `active` is unchanged
        for (const waiter of this.queue) waiter.moved();
      } else {
        this.active--;
      }
    };
  }
}
