import type { LlmError } from '../contract';
import { failureScope, type UpstreamTicket } from '../resilience';

/**
 * One attempt's hold on an upstream: its circuit ticket and, once granted, its concurrency slot.
 * Settled exactly once, by the event that ends the attempt (a finish, an error) rather than by the
 * consumer reading on: a caller that stops at `finish` has still recorded the success and freed the
 * slot. Whatever ends an attempt without settling it (the consumer leaving mid-stream) releases it.
 */
export class AttemptLease {
  private releaseSlot: (() => void) | undefined;
  private settled = false;

  constructor(private readonly ticket: UpstreamTicket) {}

  /** The slot the concurrency limiter granted, freed when the lease settles. */
  hold(releaseSlot: () => void): void {
    if (this.settled) releaseSlot();
    else this.releaseSlot = releaseSlot;
  }

  succeed(): void {
    this.settle(() => this.ticket.succeeded());
  }

  fail(error: LlmError): void {
    this.settle(() => this.ticket.failed(failureScope(error)));
  }

  /** Ends the attempt without saying anything about the upstream (aborted, never started). */
  release(): void {
    this.settle(() => this.ticket.released());
  }

  private settle(record: () => void): void {
    if (this.settled) return;
    this.settled = true;
    record();
    this.releaseSlot?.();
    this.releaseSlot = undefined;
  }
}
