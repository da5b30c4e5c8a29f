import { Redis } from 'ioredis';
import { RedisThrottlerStorage } from './redis-throttler-storage';

const redisUrl = process.env['REDIS_URL'];
const describeWithRedis = redisUrl ? describe : describe.skip;

describeWithRedis('RedisThrottlerStorage (real Redis)', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
  });
  const replica = (prefix: string) => {
    const client = new Redis(redisUrl!);
    clients.push(client);
    return new RedisThrottlerStorage(client, prefix);
  };

  it('two replicas share one count per address, and a blocked caller is told when its window ends', async () => {
    const prefix = `sluice:test:throttle:${process.pid}:${Date.now()}:`;
    const [a, b] = [replica(prefix), replica(prefix)];
    const seen = [];
    for (let i = 0; i < 6; i++)
      seen.push(await (i % 2 === 0 ? a : b).increment('10.0.0.1', 60_000, 4, 60_000, 'default'));
    expect(seen.map((record) => record.isBlocked)).toEqual([false, false, false, false, true, true]);
    expect(seen[5]).toMatchObject({ totalHits: 6, timeToBlockExpire: 60 });
    expect((await a.increment('10.0.0.2', 60_000, 4, 60_000, 'default')).totalHits).toBe(1);
  });

  it('starts a new window once the old one has passed', async () => {
    const storage = replica(`sluice:test:throttle:${process.pid}:${Date.now()}:w:`);
    await storage.increment('ip', 50, 1, 50, 'default');
    expect((await storage.increment('ip', 50, 1, 50, 'default')).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await storage.increment('ip', 50, 1, 50, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });
});
