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

/** A call waiting in the queue: told when it gets the slot, or when its place changes. */
class Waiter {
  granted = false;
  private changed = true;
  private wake: () => void = () => undefined;

  grant(): void {
    this.granted = true;
    this.wake();
  }

  moved(): void {
    this.changed = true;
    this.wake();
  }

  /** Whether its place changed since the last time it asked. */
  takeChange(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }

  /** Sleeps until granted, moved, aborted or `ms` have passed. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
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
    const slot = this.tryAcquire();
    if (slot) {
      yield { type: 'acquired', release: slot };
      return;
    }
    if (this.queue.length >= this.policy.maxQueue) {
      throw new LlmError(
        'rate_limited',
        `${this.provider} is at capacity: ${this.queue.length} calls already waiting`,
        { provider: this.provider, retryAfterMs: 1_000 },
      );
    }
    const waiter = new Waiter();
    this.queue.push(waiter);
    const deadline = Date.now() + this.policy.queueTimeoutMs;
    try {
      for (;;) {
        if (waiter.granted) {
          yield { type: 'acquired', release: this.releaser() };
          return;
        }
        if (signal?.aborted) throw signal.reason as Error;
        if (waiter.takeChange()) {
          yield { type: 'queued', position: this.queue.indexOf(waiter) + 1 };
          continue;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new LlmError(
            'timeout',
            `waited ${this.policy.queueTimeoutMs} ms for a free slot on ${this.provider}`,
            { provider: this.provider },
          );
        }
        await waiter.sleep(remaining, signal);
      }
    } finally {
      this.leave(waiter);
    }
  }

  /** Takes a waiter out of the queue; those behind it move up. */
  private leave(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index === -1) return;
    this.queue.splice(index, 1);
    for (const behind of this.queue.slice(index)) behind.moved();
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
