import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

// A fixed window per key: the first hit starts it; every replica counts into the same key.
const HIT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}
`;

/**
 * The throttler's per-address counters (login and register) in Redis, so N replicas allow the limit
 * once, not N times. A caller over the limit waits for its window to end. While Redis is unreachable
 * each replica counts on its own: the limit guards passwords, so it loosens rather than opens.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly local = new ThrottlerStorageService();

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sluice:api:throttle:',
  ) {}

  async increment(key: string, ttlMs: number, limit: number, blockMs: number, throttlerName: string) {
    try {
      return await this.incrementShared(key, ttlMs, limit, throttlerName);
    } catch {
      return this.local.increment(key, ttlMs, limit, blockMs, throttlerName);
    }
  }

  private async incrementShared(key: string, ttlMs: number, limit: number, throttlerName: string) {
    const [hits, pttl] = (await this.redis.eval(
      HIT_SCRIPT,
      1,
      `${this.prefix}${throttlerName}:${key}`,
      String(ttlMs),
    )) as [number, number];
    const secondsLeft = Math.max(1, Math.ceil(Number(pttl) / 1000));
    const isBlocked = Number(hits) > limit;
    return {
      totalHits: Number(hits),
      timeToExpire: secondsLeft,
      isBlocked,
      timeToBlockExpire: isBlocked ? secondsLeft : 0,
    };
  }
}
