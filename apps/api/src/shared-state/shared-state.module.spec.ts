import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { RateLimiter } from '@sluice/rate-limit';
import { closedPort, type Outage, silentServer } from '@sluice/rate-limit/testing';
import type { Redis } from 'ioredis';
import { LoginAttempts } from '../auth/login-attempts/login-attempts';
import { ChatRateLimit } from '../chat/chat-rate-limit';
import { loadApiConfig, type RuntimeConfig } from '../config/api-config';
import { ConfigModule } from '../config/config.module';
import { RedisThrottlerStorage } from './redis-throttler-storage';
import { RATE_LIMITER, REDIS, SharedStateModule } from './shared-state.module';

async function elapsed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

describe.each([
  ['nothing listens', closedPort],
  ['the server accepts and never answers', silentServer],
])("the API's Redis wiring when %s", (_name, start) => {
  let outage: Outage;
  let moduleRef: TestingModule;
  let config: RuntimeConfig;

  beforeAll(async () => {
    // The fail-open paths log each miss: expected here.
    Logger.overrideLogger(false);
    outage = await start();
    const loaded = loadApiConfig({ REDIS_URL: outage.url, CHAT_USER_RPM: '1', CHAT_USER_TPM: '100' });
    config = { ...loaded, databaseUrl: 'postgres://unused', jwtSecret: 'unused' };
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), SharedStateModule],
      providers: [ChatRateLimit, LoginAttempts],
    }).compile();
  });
  afterAll(async () => {
    await moduleRef?.close();
    await outage?.close();
  });

  it('lets chat messages through (fail open) at once each, beyond the limit', async () => {
    const limit = moduleRef.get(ChatRateLimit);
    for (let i = 0; i < 3; i++) {
      const { ms, value } = await elapsed(() => limit.admit('u1'));
      expect(value).toEqual({});
      expect(ms).toBeLessThan(250);
    }
  });

  it('lets the per-user request limit through : the limiter fails at once', async () => {
    const limiter = moduleRef.get<RateLimiter>(RATE_LIMITER);
    const { ms, value } = await elapsed(() =>
      limiter.admit('api:user:u1', { requestsPerMinute: 1 }).catch(() => 'failed'),
    );
    expect(value).toBe('failed');
    expect(ms).toBeLessThan(250);
  });

  it('checks a password without waiting for the failed-login count', async () => {
    const attempts = moduleRef.get(LoginAttempts);
    const { ms, value } = await elapsed(() => attempts.guard('ada@example.com', async () => 'ok'));
    expect(value).toBe('ok');
    expect(ms).toBeLessThan(250);
  });

  it('counts login attempts per address in this process meanwhile', async () => {
    const storage = new RedisThrottlerStorage(moduleRef.get<Redis>(REDIS));
    const hits = [];
    for (let i = 0; i < 3; i++) hits.push(await storage.increment('10.0.0.9', 60_000, 2, 60_000, 'default'));
    expect(hits.map((hit) => hit.isBlocked)).toEqual([false, false, true]);
  });
});
