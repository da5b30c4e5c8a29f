import { ConcurrencyLimiter, type TurnUpdate } from './concurrency-limiter';

/** Starts waiting for a turn in the background and records every update. */
function enter(limiter: ConcurrencyLimiter, signal?: AbortSignal) {
  const updates: TurnUpdate[] = [];
  let release: (() => void) | undefined;
  const done = (async () => {
    for await (const update of limiter.waitTurn(signal)) {
      updates.push(update);
      if (update.type === 'acquired') release = update.release;
    }
  })();
  return {
    updates,
    done,
    positions: () => updates.flatMap((u) => (u.type === 'queued' ? [u.position] : [])),
    release: () => release?.(),
    get acquired() {
      return release !== undefined;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimiter', () => {
  it('serves callers in order, telling each its place as the queue moves', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 5_000 }, 'p');
    const first = enter(limiter);
    const second = enter(limiter);
    const third = enter(limiter);
    await tick();
    expect(first.acquired).toBe(true);
    expect(second.positions()).toEqual([1]);
    expect(third.positions()).toEqual([2]);
    first.release();
    await second.done;
    await tick();
    expect(second.acquired).toBe(true);
    expect(third.positions()).toEqual([2, 1]);
    expect(limiter.inFlight).toBe(1);
    second.release();
    await third.done;
    third.release();
    expect(limiter.inFlight).toBe(0);
  });

  it('refuses a caller past the queue bound with rate_limited and a retry hint', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 5_000 }, 'p');
    const holder = enter(limiter);
    const waiter = enter(limiter);
    const refused = enter(limiter);
    await expect(refused.done).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterMs: expect.any(Number),
    });
    holder.release();
    await waiter.done;
    waiter.release();
  });

  it('gives up a place after the queue timeout', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 50 }, 'p');
    const holder = enter(limiter);
    const waiter = enter(limiter);
    await expect(waiter.done).rejects.toMatchObject({ code: 'timeout' });
    expect(limiter.waiting).toBe(0);
    holder.release();
  });

  it('an aborted waiter leaves the queue and the others move up', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 5_000 }, 'p');
    const holder = enter(limiter);
    const controller = new AbortController();
    const leaving = enter(limiter, controller.signal);
    const staying = enter(limiter);
    await tick();
    controller.abort(new Error('gone'));
    await expect(leaving.done).rejects.toThrow('gone');
    await tick();
    expect(staying.positions()).toEqual([2, 1]);
    holder.release();
    await staying.done;
    expect(staying.acquired).toBe(true);
    staying.release();
    expect(limiter.inFlight).toBe(0);
  });

  it('a double release frees one slot only', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxQueue: 0, queueTimeoutMs: 1_000 }, 'p');
    const a = enter(limiter);
    const b = enter(limiter);
    await Promise.all([a.done, b.done]);
    a.release();
    a.release();
    expect(limiter.inFlight).toBe(1);
    b.release();
  });
});
