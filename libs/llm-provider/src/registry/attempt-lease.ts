import type { LlmError } from '../contract';
import { type CircuitTicket, failureScope } from '../resilience';

/**
 * One attempt's hold on an upstream: its tickets of the server's and the model's circuits and, once
 * granted, its concurrency slot. Settled exactly once, by the event that ends the attempt (a finish,
 * an error) rather than by the consumer reading on: a caller that stops at `finish` has still recorded
 * the success and freed the slot. Whatever ends an attempt without settling it (the consumer leaving
 * mid-stream) releases it.
 */
export class AttemptLease {
  private releaseSlot: (() => void) | undefined;
  private settled = false;

  constructor(
    private readonly server: CircuitTicket,
    private readonly model: CircuitTicket,
  ) {}

  /** The slot the concurrency limiter granted, freed when the lease settles. */
  hold(releaseSlot: () => void): undefined {
    if (this.settled) releaseSlot();
    else this.releaseSlot = releaseSlot;
    return undefined;
  }

  succeed(): void {
    if (!this.settle()) return;
    this.server.succeeded();
    this.model.succeeded();
  }

  /** Counts the failure against the one circuit it says something about (see `failureScope`). */
  fail(error: LlmError): void {
    if (!this.settle()) return;
    const scope = failureScope(error);
    if (scope === 'server') this.server.failed();
    else this.server.released();
    if (scope === 'model') this.model.failed();
    else this.model.released();
  }

  /** Ends the attempt without saying anything about the upstream (aborted, never started). */
  release(): void {
    if (!this.settle()) return;
    this.server.released();
    this.model.released();
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.releaseSlot?.();
    this.releaseSlot = undefined;
    return true;
  }
}
