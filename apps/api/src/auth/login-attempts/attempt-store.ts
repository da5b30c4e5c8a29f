import type { Redis } from 'ioredis';

/** When an account's next password attempt may come: free ones first, then a wait that doubles. */
export interface AttemptPolicy {
  /** Failed attempts allowed before any wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A record is forgotten this long after its last failure. */
  forgetAfterMs: number;
}

/**
 * Counts password attempts per account. `take` is one atomic step: refuse (answering how long to
 * wait) or count the attempt as a failure, so parallel guesses cannot all slip in before the first
 * failure is written; a correct password then `clear`s the record.
 */
export interface AttemptStore {
  take(key: string, now: number, policy: AttemptPolicy): Promise<number>;
  clear(key: string): Promise<void>;
}

export function waitAfter(failures: number, policy: AttemptPolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - policy.freeFailures));
}

const MAX_MEMORY_RECORDS = 100_000;

export class MemoryAttemptStore implements AttemptStore {
  private readonly records = new Map<string, { failures: number; lastAt: number }>();

  async take(key: string, now: number, policy: AttemptPolicy): Promise<number> {
    let record = this.records.get(key);
    if (record && now - record.lastAt > policy.forgetAfterMs) record = undefined;
    const failures = record?.failures ?? 0;
    const readyAt = (record?.lastAt ?? 0) + waitAfter(failures, policy);
    if (failures >= policy.freeFailures && now < readyAt) return readyAt - now;
    // Re-inserted last: the map's first entry is always the longest idle, the one to drop when full.
    this.records.delete(key);
    this.records.set(key, { failures: failures + 1, lastAt: now });
    if (this.records.size > MAX_MEMORY_RECORDS) {
      for (const oldest of this.records.keys()) {
        this.records.delete(oldest);
        break;
      }
    }
    return 0;
  }

  async clear(key: string): Promise<void> {
    this.records.delete(key);
  }
}

// The same rule as waitAfter, in one round trip that no other replica can interleave with.
const TAKE_SCRIPT = `
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
local lastAt = tonumber(redis.call('HGET', KEYS[1], 'lastAt') or '0')
local now, free, base, max, forget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if failures >= free then
  local readyAt = lastAt + math.min(max, base * 2 ^ (failures - free))
  if now < readyAt then return math.ceil(readyAt - now) end
end
redis.call('HSET', KEYS[1], 'failures', failures + 1, 'lastAt', now)
redis.call('PEXPIRE', KEYS[1], forget)
return 0
`;

export class RedisAttemptStore implements AttemptStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sluice:api:login:',
  ) {}

  async take(key: string, now: number, policy: AttemptPolicy): Promise<number> {
    const waitMs = await this.redis.eval(
      TAKE_SCRIPT,
      1,
      this.prefix + key,
      String(now),
      String(policy.freeFailures),
      String(policy.baseDelayMs),
      String(policy.maxDelayMs),
      String(policy.forgetAfterMs),
    );
    return Number(waitMs);
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
