import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { closedPort, type Outage, silentServer } from '@sluice/rate-limit/testing';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadGatewayConfig } from '../config/gateway-config';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { GatewayRateLimits } from './gateway-rate-limits';

const TOKEN = 'a-gateway-token-of-32-characters';

describe.each([
  ['nothing listens', closedPort],
  ['the server accepts and never answers', silentServer],
])("the gateway's Redis wiring when %s", (_name, start) => {
  let outage: Outage;
  let limits: GatewayRateLimits;
  const failed: string[] = [];
  const metrics = { rateLimitStoreFailed: (operation: string) => void failed.push(operation) };

  beforeAll(async () => {
    // The outage warning is expected here.
    Logger.overrideLogger(false);
    outage = await start();
    const config = loadGatewayConfig({
      LLM_GATEWAY_TOKEN: TOKEN,
      LLM_USER_RPM: '1',
      LLM_CALLER_RPM: '1',
      REDIS_URL: outage.url,
    });
    limits = new GatewayRateLimits(config, metrics as unknown as GatewayMetrics);
    await limits.onModuleInit();
  });
  afterAll(async () => {
    await limits?.onApplicationShutdown();
    await outage?.close();
  });

  it('lets every call through (fail open) at once, counting each miss', async () => {
    const request = { headers: { authorization: `Bearer ${TOKEN}` }, sluice: { call: {} } };
    const reply = { headers: () => reply, raw: new EventEmitter() };
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await limits.admit(request as unknown as FastifyRequest, reply as unknown as FastifyReply, 'grace');
      expect(performance.now() - started).toBeLessThan(250);
    }
    expect(failed).toEqual(['admit', 'admit', 'admit']);
    failed.length = 0;
  });
});
