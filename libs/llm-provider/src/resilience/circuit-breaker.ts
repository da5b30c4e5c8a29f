import type { LlmError } from '../contract';

export interface CircuitBreakerPolicy {
  /** Consecutive failures that open the circuit (0: never open). */
  failureThreshold: number;
  /** How long an open circuit skips the upstream before letting one probe through. */
  cooldownMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000 };

export type CircuitState = 'closed' | 'open' | 'half-open';

/** Failures that say the upstream is broken, as opposed to the request being wrong or too much. */
export function countsAsUpstreamFailure(error: LlmError): boolean {
  return error.code === 'unavailable' || error.code === 'timeout' || error.code === 'upstream';
}

/**
 * One per upstream. Closed: calls pass. After `failureThreshold` consecutive failures it opens and
 * calls are refused at once (the chain moves on without waiting for a timeout). After `cooldownMs`
 * one call is let through (half-open): its success closes the circuit, its failure reopens it.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly policy: CircuitBreakerPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.policy.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go to the upstream now; in half-open, only the first caller may. */
  tryPass(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** When an open circuit will let a probe through (for Retry-After). */
  retryInMs(): number {
    if (this.openedAt === undefined) return 0;
    return Math.max(0, this.openedAt + this.policy.cooldownMs - this.now());
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  failed(): void {
    this.failures++;
    const probeFailed = this.probing;
    this.probing = false;
    if (probeFailed || (this.policy.failureThreshold > 0 && this.failures >= this.policy.failureThreshold)) {
      this.openedAt = this.now();
    }
  }

  /** A call that ended without telling us anything about the upstream (aborted, a bad request). */
  released(): void {
    this.probing = false;
  }
}
