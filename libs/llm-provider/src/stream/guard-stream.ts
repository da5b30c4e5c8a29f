import { LlmError, type LlmStreamEvent, type LlmTimeouts } from '../contract';
import { LinkedAbort } from './abort';
import { StreamDeadlines } from './deadlines';

/** What an adapter's raw stream yields: everything but `error` (it throws instead). */
export type RawStreamEvent = Exclude<LlmStreamEvent, { type: 'error' }>;

export interface StreamProgress {
  /** The connection to the upstream is open. */
  connected(): void;
}

export interface GuardStreamOptions {
  provider: string;
  signal?: AbortSignal;
  timeouts?: LlmTimeouts;
  /**
   * Opens the upstream call; it must close the HTTP request when `signal` aborts. An adapter whose
   * server answers only once it has something to say (Ollama sends no headers while it loads the
   * model, waits for a slot and reads the prompt) calls `progress.connected()` when the connection is
   * open: the connect deadline then stops there instead of at the `start` event.
   */
  open(signal: AbortSignal, progress: StreamProgress): AsyncIterable<RawStreamEvent>;
  /** Turns whatever the upstream threw into an LlmError; `started` says whether headers had arrived. */
  classify(error: unknown, started: boolean): LlmError;
}

/**
 * Runs an adapter's raw stream under the contract's guarantees: exactly one terminal event (`finish`
 * or `error`) and never a throw; a stream that ends without a finish is an error, not a clean end;
 * deadlines and the caller's signal abort the upstream request. Every exit, including a consumer that
 * stops iterating, closes the upstream request.
 */
export async function* guardStream(options: GuardStreamOptions): AsyncGenerator<LlmStreamEvent> {
  const abort = new LinkedAbort(options.signal, options.provider);
  const deadlines = new StreamDeadlines(
    options.timeouts ?? {},
    (error) => abort.abort(error),
    options.provider,
  );
  let iterator: AsyncIterator<RawStreamEvent> | undefined;
  let started = false;
  let finished = false;
  // Each read can be cut short by the abort, even if the upstream iterator ignores its signal. (Not
  // Promise.race against one abort promise: that would pile up a reaction per token on a long stream.)
  let cutShort: ((reason: unknown) => void) | undefined;
  const onAbort = () => cutShort?.(abort.signal.reason);
  abort.signal.addEventListener('abort', onAbort, { once: true });
  const next = (source: AsyncIterator<RawStreamEvent>) =>
    abort.signal.aborted
      ? Promise.reject(abort.signal.reason as Error)
      : new Promise<IteratorResult<RawStreamEvent>>((resolve, reject) => {
          cutShort = reject;
          source.next().then(resolve, reject);
        });
  try {
    iterator = options.open(abort.signal, { connected: () => deadlines.connected() })[Symbol.asyncIterator]();
    for (;;) {
      const result = await next(iterator);
      if (result.done) {
        // Some clients end quietly when aborted: the abort's reason is the truth then.
        const reason: unknown = abort.signal.aborted ? abort.signal.reason : undefined;
        const truncated = new LlmError(
          'upstream',
          'the upstream stream ended before it finished (truncated)',
          {
            provider: options.provider,
          },
        );
        yield { type: 'error', error: LlmError.is(reason) ? reason : truncated };
        return;
      }
      const event = result.value;
      switch (event.type) {
        case 'start':
          started = true;
          deadlines.connected();
          break;
        case 'text-delta':
        case 'reasoning-delta':
        case 'tool-call':
          deadlines.token();
          break;
        default:
          break;
      }
      if (event.type === 'finish') finished = true;
      yield event;
      if (finished) return;
    }
  } catch (error) {
    const reason: unknown = abort.signal.aborted ? abort.signal.reason : undefined;
    yield { type: 'error', error: LlmError.is(reason) ? reason : options.classify(error, started) };
  } finally {
    deadlines.clear();
    abort.signal.removeEventListener('abort', onAbort);
    abort.dispose();
    // After a finish the upstream body has been read to its end: nothing to close (and no error to
    // build, which costs more than the rest of this block on a gateway's hot path).
    if (!finished)
      abort.abort(new LlmError('aborted', 'the stream was closed', { provider: options.provider }));
    // Not awaited: an iterator stuck in a read must not hold the caller.
    iterator?.return?.().catch(() => undefined);
  }
}
