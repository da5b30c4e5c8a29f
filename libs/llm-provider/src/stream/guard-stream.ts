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
  const { provider } = options;
  const abort = new LinkedAbort(options.signal, provider);
  const deadlines = new StreamDeadlines(options.timeouts ?? {}, (error) => abort.abort(error), provider);
  let reads: CancellableReads<RawStreamEvent> | undefined;
  let started = false;
  let finished = false;
  try {
    const source = options.open(abort.signal, { connected: () => deadlines.connected() });
    reads = new CancellableReads(source[Symbol.asyncIterator](), abort.signal);
    for (;;) {
      const result = await reads.next();
      if (result.done) {
        // Some clients end quietly when aborted: the abort's reason is the truth then.
        yield { type: 'error', error: abortedWith(abort.signal) ?? truncated(provider) };
        return;
      }
      const event = result.value;
      if (event.type === 'start') {
        started = true;
        deadlines.connected();
      } else if (isContent(event)) {
        deadlines.token();
      }
      finished = event.type === 'finish';
      yield event;
      if (finished) return;
    }
  } catch (error) {
    yield { type: 'error', error: abortedWith(abort.signal) ?? options.classify(error, started) };
  } finally {
    deadlines.clear();
    abort.dispose();
    // After a finish the upstream body has been read to its end: nothing to close (and no error to
    // build, which costs more than the rest of this block on a gateway's hot path).
    if (!finished) abort.abort(new LlmError('aborted', 'the stream was closed', { provider }));
    reads?.close();
  }
}

const isContent = (event: RawStreamEvent) =>
  event.type === 'text-delta' || event.type === 'reasoning-delta' || event.type === 'tool-call';

const truncated = (provider: string) =>
  new LlmError('upstream', 'the upstream stream ended before it finished (truncated)', { provider });

/** The LlmError a deadline or the caller aborted with, if it was one. */
function abortedWith(signal: AbortSignal): LlmError | undefined {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  return LlmError.is(reason) ? reason : undefined;
}

/**
 * Reads an iterator so that each read ends as soon as `signal` aborts, even if the source ignores the
 * signal. (Not a Promise.race against one abort promise: that would pile up a reaction per token on a
 * long stream.)
 */
class CancellableReads<T> {
  private cutShort: ((reason: unknown) => void) | undefined;
  private readonly onAbort = () => this.cutShort?.(this.signal.reason);

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason as Error);
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.cutShort = reject;
      this.source.next().then(resolve, reject);
    });
  }

  /** Stops listening and closes the source; not awaited: a source stuck in a read must not hold the caller. */
  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.source.return?.().catch(() => undefined);
  }
}
