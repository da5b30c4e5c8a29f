import { DEFAULT_BACKOFF, retryDelayMs, sleep } from './backoff';

describe('retryDelayMs', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const top = () => 0.999999;
    expect(retryDelayMs(1, DEFAULT_BACKOFF, undefined, top)).toBe(250);
    expect(retryDelayMs(2, DEFAULT_BACKOFF, undefined, top)).toBe(500);
    expect(retryDelayMs(6, DEFAULT_BACKOFF, undefined, top)).toBe(4_000);
    expect(retryDelayMs(3, DEFAULT_BACKOFF, undefined, () => 0)).toBe(0);
  });

  it('waits what Retry-After asked for, and refuses to wait longer than the limit', () => {
    expect(retryDelayMs(1, DEFAULT_BACKOFF, 3_000)).toBe(3_000);
    expect(retryDelayMs(1, DEFAULT_BACKOFF, 60_000)).toBeUndefined();
  });
});

describe('sleep', () => {
  it('rejects as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(100);
  });
});
