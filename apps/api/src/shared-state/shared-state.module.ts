import { Global, Inject, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import { MemoryRateLimitStore, RateLimiter, RedisRateLimitStore } from '@sluice/llm-provider';
import { Redis } from 'ioredis';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';

/** The one Redis connection of the API (`REDIS_URL`), or null: each limit then lives in this process. */
export const REDIS = Symbol('REDIS');
/** Requests and tokens per minute per subject (`RateLimiter`), counted in Redis when there is one. */
export const RATE_LIMITER = Symbol('RATE_LIMITER');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [API_CONFIG],
      useFactory: (config: RuntimeConfig): Redis | null => {
        if (config.redisUrl === undefined) return null;
        const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
        const logger = new Logger('Redis');
        redis.on('error', (error: Error) => logger.warn(`Redis: ${error.message}`));
        return redis;
      },
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
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
