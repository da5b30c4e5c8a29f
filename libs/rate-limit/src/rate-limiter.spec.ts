import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryRateLimitStore, RedisRateLimitStore } from './rate-limit-store';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter (in memory)', () => {
  let now = 0;
  const limiter = () => new RateLimiter(new MemoryRateLimitStore(), () => now);

  beforeEach(() => {
    now = 1_700_000_000_000 - (1_700_000_000_000 % 60_000); // the start of a minute
  });

  it('admits up to the request limit, then refuses with Retry-After and OpenAI headers', async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      const decision = await l.admit('user:1', { requestsPerMinute: 3 });
      expect(decision.allowed).toBe(true);
      expect(decision.headers['x-ratelimit-remaining-requests']).toBe(String(2 - i));
    }
    now += 10_000;
    const refused = await l.admit('user:1', { requestsPerMinute: 3 });
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(50_000);
    expect(refused.headers).toMatchObject({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '50s',
      'retry-after': '50',
    });
  });

  it('keeps subjects apart', async () => {
    const l = limiter();
    await l.admit('user:1', { requestsPerMinute: 1 });
    await expect(l.admit('user:2', { requestsPerMinute: 1 })).resolves.toMatchObject({ allowed: true });
    await expect(l.admit('user:1', { requestsPerMinute: 1 })).resolves.toMatchObject({ allowed: false });
  });

  it('slides: the last minute counts in proportion as it fades', async () => {
    const l = limiter();
    for (let i = 0; i < 10; i++) await l.admit('u', { requestsPerMinute: 10 });
    now += 60_000 + 30_000; // half-way through the next minute: ~5 of the 10 still count
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await l.admit('u', { requestsPerMinute: 10 })).allowed);
    expect(results).toEqual([true, true, true, true, true, false]);
  });

  it('refuses a subject over its token budget until the budget recovers', async () => {
    const l = limiter();
    await expect(l.admit('u', { tokensPerMinute: 1_000 })).resolves.toMatchObject({ allowed: true });
    await l.record('u', 1_200);
    const refused = await l.admit('u', { tokensPerMinute: 1_000, requestsPerMinute: 100 });
    expect(refused).toMatchObject({ allowed: false, tokens: { remaining: 0 } });
    expect(refused.headers['x-ratelimit-limit-tokens']).toBe('1000');
    now += 120_000;
    await expect(l.admit('u', { tokensPerMinute: 1_000 })).resolves.toMatchObject({ allowed: true });
  });
});

const redisUrl = process.env.REDIS_URL;
// Needs a real Redis: CI sets REDIS_URL. Without one this suite is reported as skipped, not passed.
(redisUrl ? describe : describe.skip)('RateLimiter shared through Redis (REDIS_URL)', () => {
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(redisUrl!, { lazyConnect: false, maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
  });

  it('two replicas with their own connections enforce one limit together', async () => {
    const prefix = `sluice:test:${randomUUID()}:`;
    const replicaA = new RateLimiter(new RedisRateLimitStore(connect(), prefix));
    const replicaB = new RateLimiter(new RedisRateLimitStore(connect(), prefix));
    const rule = { requestsPerMinute: 10 };
    const decisions = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? replicaA : replicaB).admit('user:42', rule)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    const refused = decisions.find((d) => !d.allowed)!;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it('shares token budgets', async () => {
    const prefix = `sluice:test:${randomUUID()}:`;
    const replicaA = new RateLimiter(new RedisRateLimitStore(connect(), prefix));
    const replicaB = new RateLimiter(new RedisRateLimitStore(connect(), prefix));
    await replicaA.record('caller:web', 500);
    await replicaB.record('caller:web', 600);
    await expect(replicaA.admit('caller:web', { tokensPerMinute: 1_000 })).resolves.toMatchObject({
      allowed: false,
    });
  });
});
