import { hash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ApiException } from '../../common/api.exception';
import type { RuntimeConfig } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { REDIS } from '../../shared-state/shared-state.module';
import {
  type AttemptPolicy,
  type AttemptStore,
  MemoryAttemptStore,
  RedisAttemptStore,
} from './attempt-store';

/**
 * Password guesses per account, whichever address they come from (the per-address limit is the
 * throttler's): `AUTH_ACCOUNT_FAILURES` free failures, then each attempt waits 1 s, doubling up to 15
 * minutes, until the right password clears the count. Unknown emails count the same, so the answer
 * tells nothing about which accounts exist. Shared by replicas through Redis when `REDIS_URL` is set.
 */
@Injectable()
export class LoginAttempts {
  private readonly logger = new Logger(LoginAttempts.name);
  private readonly store: AttemptStore;
  private readonly policy: AttemptPolicy;

  constructor(@Inject(API_CONFIG) config: RuntimeConfig, @Inject(REDIS) redis: Redis | null) {
    this.store = redis === null ? new MemoryAttemptStore() : new RedisAttemptStore(redis);
    this.policy = {
      freeFailures: config.authAccountFailures,
      baseDelayMs: 1_000,
      maxDelayMs: 15 * 60_000,
      forgetAfterMs: 24 * 3_600_000,
    };
  }

  /**
   * Runs one password check for the account: refused with `rate_limited` (and `retry-after`) while
   * the account must wait, counted as a failure unless `check` answers something (what it answers).
   */
  async guard<T>(email: string, check: () => Promise<T | undefined>): Promise<T | undefined> {
    const key = accountKey(email);
    let waitMs = 0;
    try {
      waitMs = await this.store.take(key, Date.now(), this.policy);
    } catch (error) {
      // The per-address limit still holds; an unreachable Redis must not lock everyone out.
      this.logger.error(`Could not count a login attempt: ${(error as Error).message}`);
    }
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new ApiException('rate_limited', 'Too many failed attempts for this account; try again later', {
        headers: { 'retry-after': String(seconds) },
        details: { limit: 'account_failures', retryAfterMs: waitMs },
      });
    }
    const passed = await check();
    if (passed !== undefined) await this.store.clear(key).catch(() => undefined);
    return passed;
  }
}

/** Hashed: the store never holds an address. */
function accountKey(email: string): string {
  return hash('sha256', email.trim().toLowerCase(), 'hex');
}
