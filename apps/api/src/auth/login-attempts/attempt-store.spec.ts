import { Redis } from 'ioredis';
import {
  type AttemptPolicy,
  type AttemptStore,
  MemoryAttemptStore,
  RedisAttemptStore,
  waitAfter,
} from './attempt-store';

const POLICY: AttemptPolicy = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  forgetAfterMs: 60_000,
};

describe('waitAfter', () => {
  it('is free up to the allowance, then doubles up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 40].map((failures) => waitAfter(failures, POLICY))).toEqual([
      0, 0, 0, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000,
    ]);
  });
});

const redisUrl = process.env['REDIS_URL'];
const stores: [string, () => { store: AttemptStore; close(): Promise<void> }][] = [
  ['memory', () => ({ store: new MemoryAttemptStore(), close: async () => undefined })],
];
if (redisUrl) {
  stores.push([
    'Redis',
    () => {
      const redis = new Redis(redisUrl);
      const prefix = `sluice:test:attempts:${process.pid}:${Date.now()}:`;
      return { store: new RedisAttemptStore(redis, prefix), close: async () => void (await redis.quit()) };
    },
  ]);
}

describe.each(stores)('%s attempt store', (_name, open) => {
  let opened: ReturnType<typeof open>;
  beforeEach(() => (opened = open()));
  afterEach(() => opened.close());

  it('counts every attempt it admits, refuses while the wait runs, and forgets on clear', async () => {
    const { store } = opened;
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect(await store.take('ada', t0 + i, POLICY)).toBe(0);
    // The third failure was at t0 + 2: the fourth attempt waits 1 s from it.
    expect(await store.take('ada', t0 + 502, POLICY)).toBe(500);
    expect(await store.take('ada', t0 + 1_002, POLICY)).toBe(0);
    // Refusals are not counted: the wait after the fourth failure is 2 s from it.
    expect(await store.take('ada', t0 + 2_000, POLICY)).toBe(1_002);
    expect(await store.take('ada', t0 + 3_002, POLICY)).toBe(0);
    // Another account is untouched.
    expect(await store.take('bob', t0 + 3_002, POLICY)).toBe(0);
    await store.clear('ada');
    expect(await store.take('ada', t0 + 3_003, POLICY)).toBe(0);
  });
});

describe('memory attempt store', () => {
  it('forgets an account that stayed quiet long enough (Redis expires the key instead)', async () => {
    const store = new MemoryAttemptStore();
    for (let i = 0; i < 4; i++) await store.take('eve', i, POLICY);
    expect(await store.take('eve', 10, POLICY)).toBeGreaterThan(0);
    expect(await store.take('eve', 3 + POLICY.forgetAfterMs + 1, POLICY)).toBe(0);
  });
});
