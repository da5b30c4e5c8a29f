import type { FailureScope, LlmError, LlmErrorCode } from '../contract';

export interface CircuitBreakerPolicy {
  /** Consecutive failures that open the circuit (0: never open). */
  failureThreshold: number;
  /** How long an open circuit refuses calls before it lets probes through (half-open). */
  cooldownMs: number;
  /** Calls let through at once while half-open (default 1); the others are refused. */
  halfOpenProbes?: number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerPolicy = {
  failureThreshold: 5,
  cooldownMs: 30_000,
  halfOpenProbes: 1,
};

export type CircuitState = 'closed' | 'open' | 'half-open';

/** The shortest wait a refused caller is told: "retry in 0 s" would only bring it straight back. */
export const MIN_RETRY_AFTER_MS = 1_000;

const SCOPE_BY_CODE: Record<LlmErrorCode, FailureScope> = {
  unavailable: 'server',
  timeout: 'model',
  upstream: 'model',
  rate_limited: 'none',
  bad_request: 'none',
  auth: 'none',
  model_not_found: 'none',
  context_length: 'none',
  aborted: 'none',
};

/**
 * Which circuit a failure counts against. Only upstream-health failures count: what the caller caused
 * (a bad request, an unknown model, a context too long, a refused body), a busy server (429) and a
 * caller that left never do.
 */
export function failureScope(error: LlmError): FailureScope {
  return error.scope ?? SCOPE_BY_CODE[error.code];
}

/**
 * The breaker's hold on one call, settled once (later calls are ignored): with what the call showed
 * about the upstream, or with nothing (`released`: aborted, a bad request).
 */
export class CircuitTicket {
  private settled = false;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly probe: boolean,
  ) {}

  succeeded(): void {
    if (this.settle()) this.breaker.recordSuccess();
  }

  failed(): void {
    if (this.settle()) this.breaker.recordFailure(this.probe);
  }

  released(): void {
    this.settle();
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.breaker.ticketSettled(this.probe);
    return true;
  }
}

export type CircuitAdmission = { ok: true; ticket: CircuitTicket } | { ok: false; retryAfterMs: number };

/**
 * Closed: calls pass, and `failureThreshold` consecutive failures open the circuit. Open: calls are
 * refused at once (a fallback chain moves on without waiting for a timeout) for `cooldownMs`. Then
 * half-open: up to `halfOpenProbes` calls at a time are let through; a success closes the circuit, a
 * failed probe reopens it for another cooldown, a probe that tells nothing frees its place.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probes = 0;
  /** Tickets not yet settled. */
  private outstanding = 0;

  constructor(
    private readonly policy: CircuitBreakerPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.policy.cooldownMs ? 'half-open' : 'open';
  }

  /** Closed with nothing counted and no call in flight: forgetting it loses nothing. */
  get pristine(): boolean {
    return this.openedAt === undefined && this.failures === 0 && this.outstanding === 0;
  }

  admit(): CircuitAdmission {
    const state = this.state;
    if (state === 'open') return { ok: false, retryAfterMs: this.retryInMs() };
    if (state === 'half-open') {
      if (this.probes >= (this.policy.halfOpenProbes ?? 1)) {
        return { ok: false, retryAfterMs: MIN_RETRY_AFTER_MS };
      }
      this.probes++;
      return { ok: true, ticket: this.ticket(true) };
    }
    return { ok: true, ticket: this.ticket(false) };
  }

  /** How long an open circuit still refuses calls (at least `MIN_RETRY_AFTER_MS`; 0 when closed). */
  retryInMs(): number {
    if (this.openedAt === undefined) return 0;
    return Math.max(MIN_RETRY_AFTER_MS, this.openedAt + this.policy.cooldownMs - this.now());
  }

  /** @internal: the ticket's report of a success. */
  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
  }

  /** @internal: the ticket's report of a failure; a failed probe reopens the circuit at once. */
  recordFailure(probe: boolean): void {
    this.failures++;
    const threshold = this.policy.failureThreshold;
    if (probe || (this.openedAt === undefined && threshold > 0 && this.failures >= threshold)) {
      this.openedAt = this.now();
    }
  }

  /** @internal: a ticket settled, whatever it reported. */
  ticketSettled(probe: boolean): void {
    this.outstanding--;
    if (probe) this.probes--;
  }

  private ticket(probe: boolean): CircuitTicket {
    this.outstanding++;
    return new CircuitTicket(this, probe);
  }
}
