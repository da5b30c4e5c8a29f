import { Controller, Get, HttpCode, Logger, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LlmRegistry } from '@sluice/llm-provider';

/** Readiness probes answer within this; Kubernetes gives a probe 1 s by default, so keep it short. */
const READY_PROBE_TIMEOUT_MS = 3_000;

export interface UpstreamStatus {
  provider: string;
  kind: string;
  ok: boolean;
  latencyMs: number;
  /** The error code only: the probe is public and messages name internal addresses (they are logged). */
  error?: string;
  circuit?: 'closed' | 'open' | 'half-open';
  /** Models whose own circuit is open or half-open; the server and its other models still serve. */
  failingModels?: { model: string; circuit: 'open' | 'half-open' }[];
  inFlight?: number;
  queued?: number;
}

export interface ReadyResponse {
  status: 'ok' | 'degraded' | 'unavailable';
  upstreams: UpstreamStatus[];
}

@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(private readonly registry: LlmRegistry) {}

  /** 200 while the process runs; it checks nothing else, so a slow upstream never restarts us. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 while at least one upstream answers (each one's state in the body); 503 when none does. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadyResponse> {
    const health = await this.registry.health({ timeouts: { totalMs: READY_PROBE_TIMEOUT_MS } });
    const upstreams = health.map((h): UpstreamStatus => ({
      provider: h.provider,
      kind: h.kind,
      ok: h.ok,
      latencyMs: Math.round(h.latencyMs),
      ...(h.error ? { error: h.error.code } : {}),
      ...(h.circuit === undefined ? {} : { circuit: h.circuit }),
      ...(h.failingModels === undefined ? {} : { failingModels: h.failingModels }),
      ...(h.inFlight === undefined ? {} : { inFlight: h.inFlight }),
      ...(h.queued === undefined ? {} : { queued: h.queued }),
    }));
    for (const h of health) {
      if (!h.ok) this.logger.warn(`upstream ${h.provider} is not ready: ${h.error?.message ?? 'unknown'}`);
    }
    const healthy = upstreams.filter((u) => u.ok).length;
    void reply.code(healthy === 0 ? 503 : 200);
    return {
      status: healthy === upstreams.length ? 'ok' : healthy === 0 ? 'unavailable' : 'degraded',
      upstreams,
    };
  }
}
