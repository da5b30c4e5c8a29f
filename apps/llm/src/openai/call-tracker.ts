import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import { LlmError } from '@sluice/llm-provider';
import { GatewayMetrics } from '../metrics/gateway-metrics';

/** The call was cut because this gateway is stopping: another replica (or this one, restarted) can serve it. */
export class GatewayShutdownError extends LlmError {
  /** Our own words, safe to tell any caller. */
  static readonly MESSAGE = 'The LLM gateway is restarting; send the request again.';

  constructor() {
    super('unavailable', GatewayShutdownError.MESSAGE, { retryable: true, scope: 'none' });
  }
}

/** How long cut calls get to send their final error before the connections are closed. */
const CUT_CALLS_CLOSE_MS = 1_000;

/**
 * The model calls in flight: the gateway's one count of them (the streams among them are the
 * `sluice_llm_streams_in_flight` gauge). Each gets an AbortController that fires when its client
 * disconnects (the library then closes the upstream request, so the model server stops generating).
 * On shutdown the calls get a grace period to finish; the ones still running are then cut, and
 * report `unavailable` (the caller may retry elsewhere) rather than a client abort.
 */
@Injectable()
export class CallTracker {
  private readonly active = new Set<AbortController>();
  private streams = 0;
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(metrics: GatewayMetrics) {
    metrics.readStreamsInFlight(() => this.streams);
  }

  /** A signal that aborts when `res` closes before it finished, or when shutdown cuts the call. */
  begin(res: ServerResponse, streamed: boolean): AbortSignal {
    const controller = new AbortController();
    this.active.add(controller);
    if (streamed) this.streams++;
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
      this.active.delete(controller);
      if (streamed) this.streams--;
      if (this.active.size === 0) this.wakeDrainWaiters();
    });
    return controller.signal;
  }

  /** The error to report for a call that ended with `error`. */
  explain(error: LlmError): LlmError {
    if (error.code !== 'aborted' || !this.shuttingDown) return error;
    return new GatewayShutdownError();
  }

  /**
   * Waits up to `graceMs` for the calls in flight, then aborts the rest and gives them a moment to
   * write their last event (the server closes every connection right after).
   */
  async drain(graceMs: number): Promise<void> {
    this.shuttingDown = true;
    await this.idle(graceMs);
    if (this.active.size === 0) return;
    for (const controller of this.active) controller.abort();
    await this.idle(CUT_CALLS_CLOSE_MS);
  }

  private idle(timeoutMs: number): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }
}
