import type { Redis } from 'ioredis';

/** Two consecutive fixed windows of one counter: enough to estimate a sliding window. */
export interface WindowCounts {
  current: number;
  previous: number;
}

/** Where rate-limit counters live: this process, or Redis when several replicas must share them. */
export interface RateLimitStore {
  /** Adds `amount` to the counter of the window that starts at `windowStart`; returns both windows. */
  add(key: string, windowStart: number, windowMs: number, amount: number): Promise<WindowCounts>;
  read(key: string, windowStart: number, windowMs: number): Promise<WindowCounts>;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters = new Map<string, { windowStart: number; count: number; previous: number }>();

  async add(key: string, windowStart: number, windowMs: number, amount: number): Promise<WindowCounts> {
    const entry = this.roll(key, windowStart, windowMs);
    entry.count += amount;
    return { current: entry.count, previous: entry.previous };
  }

  async read(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
    const entry = this.roll(key, windowStart, windowMs);
    return { current: entry.count, previous: entry.previous };
  }

  private roll(key: string, windowStart: number, windowMs: number) {
    let entry = this.counters.get(key);
    if (!entry) {
      entry = { windowStart, count: 0, previous: 0 };
      this.counters.set(key, entry);
    } else if (entry.windowStart !== windowStart) {
      entry.previous = entry.windowStart === windowStart - windowMs ? entry.count : 0;
      entry.windowStart = windowStart;
      entry.count = 0;
    }
    if (this.counters.size > 100_000) this.sweep(windowStart, windowMs);
    return entry;
  }

  /** Drops counters idle for two windows, so a stream of one-off keys cannot grow the map forever. */
  private sweep(windowStart: number, windowMs: number): void {
    for (const [key, entry] of this.counters) {
      if (entry.windowStart < windowStart - windowMs) this.counters.delete(key);
    }
  }
}

// One round trip, atomic across replicas: add to this window, keep it two windows, read the previous.
const ADD_SCRIPT = `
local current = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
return {current, previous}
`;

export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sluice:ratelimit:',
  ) {}

  async add(key: string, windowStart: number, windowMs: number, amount: number): Promise<WindowCounts> {
    const [current, previous] = (await this.redis.eval(
      ADD_SCRIPT,
      2,
      this.key(key, windowStart),
      this.key(key, windowStart - windowMs),
      String(amount),
      String(windowMs * 2),
    )) as [number, number];
    return { current: Number(current), previous: Number(previous) };
  }

  async read(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
    const [current, previous] = await this.redis.mget(
      this.key(key, windowStart),
      this.key(key, windowStart - windowMs),
    );
    return { current: Number(current ?? 0), previous: Number(previous ?? 0) };
  }

  private key(key: string, windowStart: number): string {
    return `${this.prefix}${key}:${windowStart}`;
  }
}
