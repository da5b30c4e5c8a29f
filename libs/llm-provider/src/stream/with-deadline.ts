import { LlmError } from '../contract';
import { LinkedAbort } from './abort';

export interface DeadlineOptions {
  provider: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  classify(error: unknown): LlmError;
}

/** Runs one non-streamed upstream call under a deadline and the caller's signal; rejects with an LlmError. */
export async function withDeadline<T>(
  options: DeadlineOptions,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new LinkedAbort(options.signal, options.provider);
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            abort.abort(
              new LlmError('timeout', `no answer within ${options.timeoutMs} ms`, {
                provider: options.provider,
              }),
            ),
          options.timeoutMs,
        );
  try {
    return await Promise.race([call(abort.signal), abort.whenAborted()]);
  } catch (error) {
    const reason: unknown = abort.signal.aborted ? abort.signal.reason : undefined;
    throw LlmError.is(reason) ? reason : options.classify(error);
  } finally {
    if (timer) clearTimeout(timer);
    abort.dispose();
  }
}
