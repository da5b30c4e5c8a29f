import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

// A fixed window per key: the first hit starts it; every replica counts into the same key.
const HIT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}
`;

/**
 * The throttler's per-address counters (login and register) in Redis, so N replicas allow the limit
 * once, not N times. A caller over the limit waits for its window to end.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sluice:api:throttle:',
  ) {}

  async increment(key: string, ttlMs: number, limit: number, _blockMs: number, throttlerName: string) {
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
