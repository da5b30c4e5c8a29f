import type { RateLimitStore, WindowCounts } from './rate-limit-store';

export interface RateLimitRule {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** When the budget is whole again, ms from now. */
  resetMs: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  requests?: RateLimitState;
  tokens?: RateLimitState;
  /** On a refusal: how long until a request would pass. */
  retryAfterMs?: number;
  /** OpenAI's `x-ratelimit-*` headers for this decision. */
  headers: Record<string, string>;
}

const WINDOW_MS = 60_000;

/**
 * Requests and tokens per minute for one subject (a user, a caller token), as a sliding window
 * estimated from two fixed windows: `previous × (1 − elapsed) + current`. A request is counted when
 * it is admitted (so replicas sharing a store admit exactly the limit between them); tokens are
 * counted when the answer is done, and a subject over its token budget is refused until it recovers.
 */
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(subject: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const time = this.now();
    const windowStart = Math.floor(time / WINDOW_MS) * WINDOW_MS;
    const weight = 1 - (time - windowStart) / WINDOW_MS;
    const resetMs = windowStart + WINDOW_MS - time;
    const decision: RateLimitDecision = { allowed: true, headers: {} };

    if (rule.tokensPerMinute !== undefined) {
      const counts = await this.store.read(`${subject}:tokens`, windowStart, WINDOW_MS);
      const used = estimate(counts, weight);
      decision.tokens = state(rule.tokensPerMinute, used, resetMs);
      if (used >= rule.tokensPerMinute) {
        decision.allowed = false;
        decision.retryAfterMs = recoveryMs(counts, rule.tokensPerMinute, time - windowStart);
      }
    }
    if (rule.requestsPerMinute !== undefined && decision.allowed) {
      const counts = await this.store.add(`${subject}:requests`, windowStart, WINDOW_MS, 1);
      const used = estimate(counts, weight);
      decision.requests = state(rule.requestsPerMinute, used, resetMs);
      if (used > rule.requestsPerMinute) {
        decision.allowed = false;
        decision.retryAfterMs = recoveryMs(counts, rule.requestsPerMinute, time - windowStart);
      }
    }
    decision.headers = headersOf(decision);
    return decision;
  }

  /** Counts the tokens an answer used against the subject's budget. */
  async record(subject: string, tokens: number): Promise<void> {
    if (!(tokens > 0)) return;
    const time = this.now();
    const windowStart = Math.floor(time / WINDOW_MS) * WINDOW_MS;
    await this.store.add(`${subject}:tokens`, windowStart, WINDOW_MS, Math.round(tokens));
  }
}

function estimate(counts: WindowCounts, weight: number): number {
  return counts.previous * weight + counts.current;
}

function state(limit: number, used: number, resetMs: number): RateLimitState {
  return { limit, remaining: Math.max(0, Math.floor(limit - used)), resetMs };
}

/** How long until the estimate drops below the limit, as the previous window's weight fades. */
function recoveryMs(counts: WindowCounts, limit: number, elapsedMs: number): number {
  if (counts.current >= limit) return WINDOW_MS - elapsedMs;
  if (counts.previous <= 0) return 1_000;
  // previous × (1 − t/W) + current < limit  ⇔  t > W × (1 − (limit − current) / previous)
  const t = WINDOW_MS * (1 - (limit - counts.current) / counts.previous);
  return Math.max(1_000, Math.ceil(t - elapsedMs));
}

/** Durations in OpenAI's form: `1s`, `6m0s`, `12ms`. */
function duration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.ceil(ms / 1_000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${seconds % 60}s` : `${seconds}s`;
}

function headersOf(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const s = decision[kind];
    if (!s) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(s.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(s.remaining);
    headers[`x-ratelimit-reset-${kind}`] = duration(s.resetMs);
  }
  if (!decision.allowed && decision.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1_000)));
  }
  return headers;
}
