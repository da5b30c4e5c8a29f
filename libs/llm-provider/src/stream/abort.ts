import { LlmError } from '../contract';

/**
 * A controller that follows the caller's signal (as an `aborted` LlmError) and can be aborted by us
 * with any other LlmError (a deadline). `dispose()` detaches from the caller's signal.
 */
export class LinkedAbort {
  readonly controller = new AbortController();
  private readonly onCallerAbort = () =>
    this.abort(new LlmError('aborted', 'the caller aborted the request', { provider: this.provider }));

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    private readonly provider: string,
  ) {
    if (callerSignal?.aborted) this.onCallerAbort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: LlmError): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** A promise that rejects with the abort reason; for racing against work that may ignore the signal. */
  whenAborted(): Promise<never> {
    const promise = new Promise<never>((_, reject) => {
      if (this.signal.aborted) reject(this.signal.reason as Error);
      else this.signal.addEventListener('abort', () => reject(this.signal.reason as Error), { once: true });
    });
    promise.catch(() => undefined);
    return promise;
  }

  dispose(): void {
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}
