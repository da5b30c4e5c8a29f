import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RateLimitDecision, RateLimiter, RateLimitRule } from '@sluice/rate-limit';
import { ApiException } from '../common/api.exception';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { RATE_LIMITER } from '../shared-state/shared-state.module';

/**
 * Per-user limits on the chat's LLM requests (`CHAT_USER_RPM`, `CHAT_USER_TPM`): a message is
 * admitted (and counted) before anything is stored; the answer's tokens are counted when its stream
 * ends. Counters live in Redis when `REDIS_URL` is set (shared by replicas), in memory otherwise.
 */
@Injectable()
export class ChatRateLimit {
  private readonly logger = new Logger(ChatRateLimit.name);
  private readonly rule: RateLimitRule;
  private readonly limiter: RateLimiter | undefined;

  constructor(@Inject(API_CONFIG) config: RuntimeConfig, @Inject(RATE_LIMITER) limiter: RateLimiter) {
    this.rule = {
      ...(config.chatUserRpm === undefined ? {} : { requestsPerMinute: config.chatUserRpm }),
      ...(config.chatUserTpm === undefined ? {} : { tokensPerMinute: config.chatUserTpm }),
    };
    if (this.rule.requestsPerMinute === undefined && this.rule.tokensPerMinute === undefined) return;
    this.limiter = limiter;
  }

  /**
   * Admits one more LLM request for the user or throws `rate_limited` (429, `retry-after` and the
   * `x-ratelimit-*` headers). Returns the headers to send with an admitted answer. A store that cannot
   * be reached admits the request (logged): the limits protect the upstream, they must not stop the chat.
   */
  async admit(userId: string): Promise<Record<string, string>> {
    if (this.limiter === undefined) return {};
    let decision: RateLimitDecision;
    try {
      decision = await this.limiter.admit(subject(userId), this.rule);
    } catch (error) {
      this.logger.error(`Could not check the chat rate limit of user ${userId}`, (error as Error).stack);
      return {};
    }
    if (decision.allowed) return decision.headers;
    const tokens = decision.tokens !== undefined && decision.tokens.remaining <= 0;
    throw new ApiException(
      'rate_limited',
      tokens
        ? 'Too many tokens used in the last minute; try again shortly'
        : 'Too many messages in the last minute; try again shortly',
      {
        headers: decision.headers,
        details: {
          limit: tokens ? 'tokens_per_minute' : 'requests_per_minute',
          ...(decision.retryAfterMs === undefined ? {} : { retryAfterMs: decision.retryAfterMs }),
        },
      },
    );
  }

  /** Counts the tokens an answer used. Never throws. */
  async record(userId: string, tokens: number): Promise<void> {
    if (this.limiter === undefined || this.rule.tokensPerMinute === undefined) return;
    try {
      await this.limiter.record(subject(userId), tokens);
    } catch (error) {
      this.logger.error(`Could not count the tokens of user ${userId}`, (error as Error).stack);
    }
  }
}

function subject(userId: string): string {
  return `chat:user:${userId}`;
}
