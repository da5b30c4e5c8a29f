import { Global, Inject, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import {
  closeRedis,
  connectRedis,
  createRedisClient,
  MemoryRateLimitStore,
  RateLimiter,
  RedisRateLimitStore,
} from '@sluice/rate-limit';
import type { Redis } from 'ioredis';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';

/**
 * The one Redis connection of the API (`REDIS_URL`), or null: each limit then lives in this process.
 * It fails fast when Redis is down or stuck, and every counter kept in it fails open.
 */
export const REDIS = Symbol('REDIS');
/** Requests and tokens per minute per subject (`RateLimiter`), counted in Redis when there is one. */
export const RATE_LIMITER = Symbol('RATE_LIMITER');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [API_CONFIG],
      useFactory: (config: RuntimeConfig): Promise<Redis> | null =>
        config.redisUrl === undefined
          ? null
          : connectRedis(
              createRedisClient(config.redisUrl, {
                log: new Logger('Redis'),
                whileDown: 'rate limits and failed-login counts are not enforced until it is back',
              }),
            ),
    },
    {
      provide: RATE_LIMITER,
      inject: [REDIS],
      useFactory: (redis: Redis | null): RateLimiter =>
        new RateLimiter(
          redis === null ? new MemoryRateLimitStore() : new RedisRateLimitStore(redis, 'sluice:api:'),
        ),
    },
  ],
  exports: [REDIS, RATE_LIMITER],
})
export class SharedStateModule implements OnModuleDestroy {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async onModuleDestroy(): Promise<void> {
    if (this.redis !== null) await closeRedis(this.redis);
  }
}
