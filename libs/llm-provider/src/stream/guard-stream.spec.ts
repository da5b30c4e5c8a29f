import { LlmError, type LlmStreamEvent } from '../contract';
import { guardStream, type GuardStreamOptions, type RawStreamEvent } from './guard-stream';

const start: RawStreamEvent = { type: 'start', provider: 'p', model: 'm', warnings: [] };
const finish: RawStreamEvent = { type: 'finish', reason: 'stop', usage: {} };

async function collect(events: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const out: LlmStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

function guard(open: GuardStreamOptions['open'], extra: Partial<GuardStreamOptions> = {}) {
  return guardStream({
    provider: 'p',
    open,
    classify: (error) => new LlmError('upstream', String(error)),
    ...extra,
  });
}

// Like fetch: an already-aborted signal rejects at once.
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function terminals(events: LlmStreamEvent[]) {
  return events.filter((event) => event.type === 'finish' || event.type === 'error');
}

describe('guardStream', () => {
  it('passes a complete stream through and stops at finish', async () => {
    const events = await collect(
      guard(async function* () {
        yield start;
        yield { type: 'text-delta', text: 'hi' };
        yield finish;
        yield { type: 'text-delta', text: 'after the end' };
      }),
    );
    expect(events.map((e) => e.type)).toEqual(['start', 'text-delta', 'finish']);
  });

  it('turns an end without finish into a truncation error', async () => {
    const events = await collect(
      guard(async function* () {
        yield start;
        yield { type: 'text-delta', text: 'par' };
      }),
    );
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    expect(last?.type === 'error' && last.error.code).toBe('upstream');
    expect(last?.type === 'error' && last.error.message).toMatch(/truncated/);
  });

  it('turns a throw into one classified error event', async () => {
    const events = await collect(
      guard(
        async function* () {
          yield start;
          throw new Error('boom');
        },
        { classify: (_error, started) => new LlmError(started ? 'upstream' : 'unavailable', 'x') },
      ),
    );
    expect(terminals(events)).toEqual([
      { type: 'error', error: expect.objectContaining({ code: 'upstream' }) },
    ]);
  });

  it('ends a stall before the first token with a timeout and aborts the upstream', async () => {
    let upstreamSignal: AbortSignal | undefined;
    const began = Date.now();
    const events = await collect(
      guard(
        async function* (signal) {
          upstreamSignal = signal;
          yield start;
          await sleep(10_000, signal);
          yield finish;
        },
        { timeouts: { firstTokenMs: 50 } },
      ),
    );
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(terminals(events)).toEqual([
      { type: 'error', error: expect.objectContaining({ code: 'timeout' }) },
    ]);
    expect(upstreamSignal?.aborted).toBe(true);
  });

  it('ends a stall between tokens with an idle timeout, keeping the tokens before it', async () => {
    const events = await collect(
      guard(
        async function* (signal) {
          yield start;
          for (let i = 0; i < 5; i++) {
            await sleep(10, signal);
            yield { type: 'text-delta', text: String(i) };
          }
          await sleep(10_000, signal);
          yield finish;
        },
        { timeouts: { idleMs: 80 } },
      ),
    );
    expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(5);
    const last = events.at(-1);
    expect(last?.type === 'error' && last.error.message).toMatch(/stalled/);
  });

  it('does not fire the idle deadline while tokens keep coming', async () => {
    const events = await collect(
      guard(
        async function* (signal) {
          yield start;
          for (let i = 0; i < 12; i++) {
            await sleep(20, signal);
            yield { type: 'text-delta', text: String(i) };
          }
          yield finish;
        },
        { timeouts: { idleMs: 60 } },
      ),
    );
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('stops even when the upstream ignores the abort signal', async () => {
    const events = await collect(
      guard(
        async function* () {
          yield start;
          await new Promise(() => undefined); // never settles, never looks at the signal
          yield finish;
        },
        { timeouts: { firstTokenMs: 30 } },
      ),
    );
    expect(terminals(events)).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('error');
  });

  it('reports a caller abort as aborted and closes the upstream', async () => {
    const caller = new AbortController();
    let upstreamSignal: AbortSignal | undefined;
    const stream = guard(
      async function* (signal) {
        upstreamSignal = signal;
        yield start;
        yield { type: 'text-delta', text: 'a' };
        await sleep(10_000, signal);
        yield finish;
      },
      { signal: caller.signal },
    );
    const events: LlmStreamEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'text-delta') caller.abort();
    }
    expect(events.at(-1)).toEqual({ type: 'error', error: expect.objectContaining({ code: 'aborted' }) });
    expect(upstreamSignal?.aborted).toBe(true);
  });

  it('closes the upstream when the consumer stops reading early', async () => {
    let upstreamSignal: AbortSignal | undefined;
    const stream = guard(async function* (signal) {
      upstreamSignal = signal;
      yield start;
      yield { type: 'text-delta', text: 'a' };
      yield { type: 'text-delta', text: 'b' };
      yield finish;
    });
    for await (const event of stream) if (event.type === 'text-delta') break;
    expect(upstreamSignal?.aborted).toBe(true);
  });

  it('answers an already-aborted signal without opening the upstream', async () => {
    const open = jest.fn(async function* () {
      yield start;
      yield finish;
    });
    const events = await collect(guard(open, { signal: AbortSignal.abort() }));
    expect(events).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'aborted' }) }]);
  });
});
