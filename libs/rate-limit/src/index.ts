/**
 * Requests and tokens per minute per subject, in this process or shared by replicas through Redis,
 * and the one Redis client both apps keep their counters in (failing fast, so callers fail open).
 *
 * Why our own limiter rather than `rate-limiter-flexible`: that package counts in fixed windows
 * (its limit resets at each window's start, so twice the limit can pass across a boundary), where
 * ours estimates a sliding window from two fixed ones; and ours charges an answer's tokens after the
 * call ends and refuses the next call while the budget is spent, with OpenAI's `x-ratelimit-*`
 * headers. Its `penalty()` could charge after the fact, but not slide.
 */
export * from './rate-limit-store';
export * from './rate-limiter';
export * from './redis-client';
