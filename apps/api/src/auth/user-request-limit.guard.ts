import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { RateLimitDecision, RateLimiter } from '@sluice/rate-limit';
import type { FastifyRequest } from 'fastify';
import { ApiException } from '../common/api.exception';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { RATE_LIMITER } from '../shared-state/shared-state.module';
import type { UserEntity } from '../users/user.entity';

/**
 * Global, after the JWT guard: every request of a signed-in user counts against `API_USER_RPM`
 * (all routes together, every replica together with Redis), so one account cannot create thousands
 * of conversations a minute or hammer the database. Public routes have their own per-address limits.
 * A store that cannot be reached admits the request (logged).
 */
@Injectable()
export class UserRequestLimit implements CanActivate {
  private readonly logger = new Logger(UserRequestLimit.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: RuntimeConfig,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requestsPerMinute = this.config.apiUserRpm;
    const user = context.switchToHttp().getRequest<FastifyRequest & { user?: UserEntity }>().user;
    if (requestsPerMinute === undefined || user === undefined) return true;
    let decision: RateLimitDecision;
    try {
      decision = await this.limiter.admit(`api:user:${user.id}`, { requestsPerMinute });
    } catch (error) {
      this.logger.error(`Could not check the request limit of user ${user.id}: ${(error as Error).message}`);
      return true;
    }
    if (decision.allowed) return true;
    throw new ApiException('rate_limited', 'Too many requests in the last minute; try again shortly', {
      headers: decision.headers,
      details: {
        limit: 'api_requests_per_minute',
        ...(decision.retryAfterMs === undefined ? {} : { retryAfterMs: decision.retryAfterMs }),
      },
    });
  }
}
