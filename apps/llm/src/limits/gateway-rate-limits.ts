import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { LlmUsage } from '@sluice/llm-provider';
import {
  closeRedis,
  connectRedis,
  createRedisClient,
  MemoryRateLimitStore,
  type RateLimitDecision,
  RateLimiter,
  type RateLimitRule,
  RedisRateLimitStore,
} from '@sluice/rate-limit';
import { bearerToken } from '../auth/token-verifier';
import { GATEWAY_CONFIG } from '../config/config.module';
import type { GatewayConfig, RateLimitRuleConfig } from '../config/gateway-config';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { OpenAiHttpError } from '../openai/openai-error';

interface Subject {
  /** `caller:<12 hex of the token's sha256>` or `user:<id>`; never the token itself. */
  name: string;
  rule: RateLimitRule;
}

const KINDS = ['requests', 'tokens'] as const;
type Kind = (typeof KINDS)[number];

/** The subject a caller token is counted under: a short digest, so neither logs nor Redis hold the token. */
export function callerSubject(token: string): string {
  return `caller:${createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12)}`;
}

/**
 * Requests and tokens per minute, per caller token and per end user, over the library's
 * `RateLimiter`: in this process, or in Redis (REDIS_URL) so that every replica enforces one limit.
 *
 * A store that fails (Redis down or slow: the shared client fails fast) fails OPEN: the request goes
 * through, with a warning when Redis goes away and `sluice_llm_rate_limit_store_errors_total`
 * counting each miss. The limits share capacity fairly; they are not what protects the upstreams
 * (the library's per-upstream concurrency queue still does), so a Redis outage should not become a
 * gateway outage.
 */
@Injectable()
export class GatewayRateLimits implements OnModuleInit, OnApplicationShutdown {
  private readonly limiter: RateLimiter;
  private readonly redis: Redis | undefined;
  private readonly user: RateLimitRule | undefined;
  private readonly caller: RateLimitRule | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
  ) {
    const limits = config.rateLimits;
    this.user = ruleOf(limits.user);
    this.caller = ruleOf(limits.caller);
    if (limits.redisUrl !== undefined && (this.user || this.caller)) {
      this.redis = createRedisClient(limits.redisUrl, {
        log: new Logger(GatewayRateLimits.name),
        whileDown: 'requests go through unlimited until Redis is back',
      });
    }
    this.limiter = new RateLimiter(
      this.redis ? new RedisRateLimitStore(this.redis, limits.redisPrefix) : new MemoryRateLimitStore(),
    );
  }

  /** Connects to Redis at boot; an unreachable one is a warning, not a failed start (the client keeps retrying). */
  async onModuleInit(): Promise<void> {
    if (this.redis) await connectRedis(this.redis);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis) await closeRedis(this.redis);
  }

  /**
   * Admits one call for its caller token and end user, or throws the 429 to answer. An admitted call
   * carries the `x-ratelimit-*` headers of its tightest budget, and its tokens are counted against
   * both subjects when the response closes.
   */
  async admit(request: FastifyRequest, reply: FastifyReply, userId: string | undefined): Promise<void> {
    const subjects: Subject[] = [];
    const token = bearerToken(request.headers.authorization);
    if (this.caller && token !== undefined) subjects.push({ name: callerSubject(token), rule: this.caller });
    if (this.user && userId !== undefined) subjects.push({ name: `user:${userId}`, rule: this.user });
    if (subjects.length === 0) return;

    const decisions: RateLimitDecision[] = [];
    for (const subject of subjects) {
      let decision: RateLimitDecision;
      try {
        decision = await this.limiter.admit(subject.name, subject.rule);
      } catch {
        this.metrics.rateLimitStoreFailed('admit');
        return;
      }
      decisions.push(decision);
      // The caller is checked first: a caller over its budget costs its users nothing.
      if (!decision.allowed) throw refusal(decision, subject.name, tightest(decisions));
    }
    void reply.headers(tightest(decisions));
    reply.raw.once('close', () => void this.record(subjects, request.sluice.call.usage));
  }

  private async record(subjects: Subject[], usage: LlmUsage | undefined): Promise<void> {
    const tokens = totalTokens(usage);
    if (tokens <= 0) return;
    await Promise.all(
      subjects
        .filter((subject) => subject.rule.tokensPerMinute !== undefined)
        .map((subject) =>
          this.limiter.record(subject.name, tokens).catch(() => this.metrics.rateLimitStoreFailed('record')),
        ),
    );
  }
}

function ruleOf(config: RateLimitRuleConfig): RateLimitRule | undefined {
  return config.requestsPerMinute === undefined && config.tokensPerMinute === undefined ? undefined : config;
}

function totalTokens(usage: LlmUsage | undefined): number {
  if (!usage) return 0;
  return usage.totalTokens ?? (usage.promptTokens ?? 0) + (usage.completionTokens ?? 0);
}

/** Per kind, the `x-ratelimit-*` headers of the subject with the least left. */
function tightest(decisions: RateLimitDecision[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of KINDS) {
    let best: RateLimitDecision | undefined;
    let least = Infinity;
    for (const decision of decisions) {
      const remaining = decision[kind]?.remaining;
      if (remaining !== undefined && (!best || remaining < least)) {
        best = decision;
        least = remaining;
      }
    }
    if (!best) continue;
    for (const field of ['limit', 'remaining', 'reset']) {
      const name = `x-ratelimit-${field}-${kind}`;
      const value = best.headers[name];
      if (value !== undefined) headers[name] = value;
    }
  }
  return headers;
}

/** OpenAI's 429: `type` says which budget ran out (`requests` or `tokens`). */
function refusal(
  decision: RateLimitDecision,
  subject: string,
  headers: Record<string, string>,
): OpenAiHttpError {
  // The limiter checks tokens first and stops there: a refusal without a requests state is a tokens one.
  const kind: Kind = decision.requests === undefined ? 'tokens' : 'requests';
  const retryAfterMs = decision.retryAfterMs ?? 1_000;
  return new OpenAiHttpError({
    status: 429,
    message: `Rate limit reached for ${subject}: too many ${kind} per minute. Retry after ${Math.ceil(retryAfterMs / 1_000)}s.`,
    type: kind,
    code: 'rate_limit_exceeded',
    headers: {
      ...headers,
      'retry-after': decision.headers['retry-after'] ?? String(Math.max(1, Math.ceil(retryAfterMs / 1_000))),
      'retry-after-ms': String(Math.round(retryAfterMs)),
      'x-should-retry': 'true',
    },
    outcome: 'rate_limited',
  });
}
